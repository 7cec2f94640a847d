// The `sotay` Android library: the UniFFI bindings generated at build time from the Rust
// crate `sotay-ffi` (../bindings), the native library cross-compiled for Android with
// cargo-ndk, the idiomatic Kotlin API (vn.sotay.kit) and the view models (vn.sotay.viewmodel).
//
// Needs on the workstation: Rust (rustup) with the Android targets, cargo-ndk and the Android
// NDK — see ../README.md. The generated sources and the .so files are build outputs.

import javax.inject.Inject
import org.gradle.process.ExecOperations

plugins {
    alias(libs.plugins.android.library)
}

/** The cargo workspace (the repository root) and its target directory. */
val workspace: Directory = rootProject.layout.projectDirectory.dir("..")
val cargoTarget: String = providers.environmentVariable("CARGO_TARGET_DIR")
    .getOrElse(workspace.dir("target").asFile.path)
val hostLibName: String = System.getProperty("os.name").lowercase().let {
    when {
        it.contains("mac") -> "libsotay_ffi.dylib"
        it.contains("windows") -> "sotay_ffi.dll"
        else -> "libsotay_ffi.so"
    }
}
val exe: String = if (System.getProperty("os.name").lowercase().contains("windows")) ".exe" else ""

/** Builds sotay-ffi for this machine and generates the Kotlin bindings from it (library mode). */
abstract class GenerateUniffiBindings @Inject constructor(private val exec: ExecOperations) : DefaultTask() {
    @get:InputFiles
    @get:PathSensitive(PathSensitivity.RELATIVE)
    abstract val rustSources: ConfigurableFileCollection

    @get:Input
    abstract val workspaceDir: Property<String>

    @get:Input
    abstract val cargoTargetDir: Property<String>

    @get:Input
    abstract val hostLib: Property<String>

    @get:Input
    abstract val exeSuffix: Property<String>

    @get:OutputDirectory
    abstract val outputDir: DirectoryProperty

    @TaskAction
    fun generate() {
        val out = outputDir.get().asFile
        out.deleteRecursively()
        out.mkdirs()
        exec.exec {
            workingDir(workspaceDir.get())
            commandLine("cargo", "build", "-p", "sotay-ffi", "-p", "sotay-server")
        }
        val debug = "${cargoTargetDir.get()}/debug"
        exec.exec {
            // Library mode runs inside the cargo workspace: it reads bindings/uniffi.toml
            // through `cargo metadata`.
            workingDir(workspaceDir.get())
            commandLine(
                "$debug/uniffi-bindgen${exeSuffix.get()}", "generate", "--no-format",
                "--language", "kotlin", "--out-dir", out.path, "$debug/${hostLib.get()}",
            )
        }
    }
}

/** Cross-compiles sotay-ffi for Android's ABIs with cargo-ndk into a jniLibs layout. */
abstract class CargoNdkBuild @Inject constructor(private val exec: ExecOperations) : DefaultTask() {
    @get:InputFiles
    @get:PathSensitive(PathSensitivity.RELATIVE)
    abstract val rustSources: ConfigurableFileCollection

    @get:Input
    abstract val workspaceDir: Property<String>

    @get:Input
    abstract val abis: ListProperty<String>

    @get:Input
    abstract val profile: Property<String>

    @get:OutputDirectory
    abstract val outputDir: DirectoryProperty

    @TaskAction
    fun build() {
        val args = mutableListOf("cargo", "ndk")
        abis.get().forEach { args += listOf("-t", it) }
        args += listOf("-o", outputDir.get().asFile.path, "build", "-p", "sotay-ffi")
        if (profile.get() == "release") args += "--release"
        exec.exec {
            workingDir(workspaceDir.get())
            commandLine(args)
        }
    }
}

val rustInputs = files(
    workspace.file("Cargo.toml"),
    workspace.file("Cargo.lock"),
    workspace.dir("core/src"),
    workspace.dir("bindings/src"),
    workspace.file("bindings/Cargo.toml"),
    workspace.file("bindings/uniffi.toml"),
)

val generateUniffiBindings = tasks.register<GenerateUniffiBindings>("generateUniffiBindings") {
    rustSources.from(rustInputs)
    workspaceDir.set(workspace.asFile.path)
    cargoTargetDir.set(cargoTarget)
    hostLib.set(hostLibName)
    exeSuffix.set(exe)
    outputDir.set(layout.buildDirectory.dir("generated/uniffi/kotlin"))
}

fun cargoNdk(profile: String) = tasks.register<CargoNdkBuild>("cargoNdk${profile.replaceFirstChar { it.uppercase() }}") {
    rustSources.from(rustInputs)
    workspaceDir.set(workspace.asFile.path)
    abis.set(listOf("arm64-v8a", "armeabi-v7a", "x86_64"))
    this.profile.set(profile)
    outputDir.set(layout.buildDirectory.dir("generated/jniLibs/$profile"))
}
val cargoNdkDebug = cargoNdk("debug")
val cargoNdkRelease = cargoNdk("release")

android {
    namespace = "vn.sotay"
    compileSdk = 36

    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    testOptions {
        unitTests.all { test ->
            // The JVM unit tests load the host build of the native library and start the real
            // sotay-server, as scripts/kotlin-test.sh does.
            test.dependsOn(generateUniffiBindings)
            test.systemProperty("jna.library.path", "$cargoTarget/debug")
            test.systemProperty("sotay.server.bin", "$cargoTarget/debug/sotay-server$exe")
        }
    }
}

kotlin {
    jvmToolchain(17)
    compilerOptions {
        allWarningsAsErrors.set(true)
    }
}

androidComponents {
    onVariants { variant ->
        variant.sources.kotlin?.addGeneratedSourceDirectory(generateUniffiBindings, GenerateUniffiBindings::outputDir)
        val ndk = if (variant.buildType == "release") cargoNdkRelease else cargoNdkDebug
        variant.sources.jniLibs?.addGeneratedSourceDirectory(ndk, CargoNdkBuild::outputDir)
    }
}

dependencies {
    // JNA's Android build carries libjnidispatch.so for every ABI.
    implementation("net.java.dev.jna:jna:${libs.versions.jna.get()}@aar")
    api(libs.kotlinx.coroutines.android)

    // JVM unit tests run against the host's JNA and libsotay_ffi.
    testImplementation(libs.jna)
    testImplementation(libs.junit)
    testImplementation(libs.kotlin.test.junit)
}
