// AGP 9 compiles Kotlin itself (built-in Kotlin: no `org.jetbrains.kotlin.android` plugin);
// the Kotlin Gradle plugin is pinned to the compiler the library is tested with on CI
// (scripts/kotlin-test.sh uses kotlinc 2.4.20), instead of the older one AGP would bring.
buildscript {
    dependencies {
        classpath("org.jetbrains.kotlin:kotlin-gradle-plugin:2.4.20")
    }
}

plugins {
    alias(libs.plugins.android.application) apply false
    alias(libs.plugins.android.library) apply false
    alias(libs.plugins.kotlin.compose) apply false
}
