//! The differential target calls the system libpq (Debian's libpq5: libpq.so.5), linked by
//! file name so the -dev package is not needed.
fn main() {
    println!("cargo:rustc-link-arg-bin=conninfo_libpq=-l:libpq.so.5");
}
