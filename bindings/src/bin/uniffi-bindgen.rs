//! The workspace's own `uniffi-bindgen`, built from the same UniFFI version as the crate, so
//! the generated Kotlin and Swift always match the scaffolding compiled into `sotay_ffi`:
//!
//! ```text
//! cargo build -p sotay-ffi
//! target/debug/uniffi-bindgen generate --no-format --language kotlin \
//!     --out-dir OUT target/debug/libsotay_ffi.so
//! ```

fn main() {
    uniffi::uniffi_bindgen_main()
}
