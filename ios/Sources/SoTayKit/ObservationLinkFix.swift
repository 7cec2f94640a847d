// Swift 6.0.3 on Linux fails to link a module that uses Observation: libswiftObservation
// refers to `swift::threading::fatal`, which the Linux runtime does not export (upstream bug
// swiftlang/swift#75670). Defining the symbol here (it is only reached on a fatal threading
// error) lets the view models link. Apple platforms do not need it.
#if os(Linux)
@_cdecl("_ZN5swift9threading5fatalEPKcz")
func _swiftThreadingFatal() -> Never { fatalError("swift::threading::fatal") }
#endif
