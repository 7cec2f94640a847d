// SoTay for Android: the `sotay` library (generated UniFFI bindings, the idiomatic Kotlin API
// and the view models) and the `app` (thin Jetpack Compose screens). See README.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "sotay-android"
include(":sotay", ":app")
