//! Differential: pgtls's conninfo parser against libpq's own `PQconninfoParse` (the system
//! libpq, linked by build.rs). Both must accept or refuse the same strings, and agree on every
//! keyword's value. Keywords the linked libpq is too old to know are skipped.
#![no_main]
use std::collections::BTreeMap;
use std::ffi::{c_char, CStr, CString};

use libfuzzer_sys::fuzz_target;

#[repr(C)]
struct PQconninfoOption {
    keyword: *mut c_char,
    envvar: *mut c_char,
    compiled: *mut c_char,
    val: *mut c_char,
    label: *mut c_char,
    dispchar: *mut c_char,
    dispsize: i32,
}

extern "C" {
    fn PQconninfoParse(conninfo: *const c_char, errmsg: *mut *mut c_char) -> *mut PQconninfoOption;
    fn PQconninfoFree(opts: *mut PQconninfoOption);
    fn PQfreemem(p: *mut std::ffi::c_void);
    fn PQlibVersion() -> i32;
}

/// libpq's verdict: the keyword values, or its error message.
fn libpq(s: &CString) -> Result<BTreeMap<String, String>, String> {
    unsafe {
        let mut err: *mut c_char = std::ptr::null_mut();
        let opts = PQconninfoParse(s.as_ptr(), &mut err);
        if opts.is_null() {
            let msg = if err.is_null() { "out of memory".to_string() } else { CStr::from_ptr(err).to_string_lossy().into_owned() };
            if !err.is_null() {
                PQfreemem(err.cast());
            }
            return Err(msg);
        }
        let mut out = BTreeMap::new();
        let mut p = opts;
        while !(*p).keyword.is_null() {
            if !(*p).val.is_null() {
                out.insert(CStr::from_ptr((*p).keyword).to_string_lossy().into_owned(), CStr::from_ptr((*p).val).to_string_lossy().into_owned());
            }
            p = p.add(1);
        }
        PQconninfoFree(opts);
        Ok(out)
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let Ok(c) = CString::new(s) else { return };
    let major = (unsafe { PQlibVersion() } / 10000) as u32;
    let theirs = libpq(&c);
    let ours = pgtls::conninfo::parse(s);
    // `HOST[:PORT]` is pgtls's own shorthand; libpq has no such form.
    if ours.as_ref().is_ok_and(|i| i.form == pgtls::conninfo::Form::HostPort) {
        return;
    }
    match (&ours, &theirs) {
        (Ok(info), Ok(map)) => {
            for kw in info.given() {
                let known = pgtls::conninfo::keyword(kw).is_some_and(|k| k.since <= major);
                if !known {
                    continue;
                }
                let mine = info.get(kw).map(str::to_string).or_else(|| info.secret(kw).map(|x| x.expose().to_string()));
                assert_eq!(mine.as_deref(), map.get(*kw).map(String::as_str), "value of {kw} for {s:?}");
            }
        }
        // Known, documented difference (docs/robustness.md): pgtls keeps values as UTF-8 text
        // and refuses a percent-encoded value that is not; libpq keeps the raw bytes.
        (Err(pgtls::conninfo::ConninfoError::PercentEncodedNotUtf8 { .. }), Ok(_)) => {}
        (Err(e), Ok(map)) => panic!("pgtls refuses what libpq accepts: {s:?}: {e} (libpq keywords: {:?})", map.keys().collect::<Vec<_>>()),
        (Ok(info), Err(e)) => {
            // An older libpq refuses keywords it does not know yet; that is not a difference.
            let newer = info.given().iter().any(|kw| pgtls::conninfo::keyword(kw).is_some_and(|k| k.since > major));
            assert!(newer && e.contains("invalid"), "pgtls accepts what libpq {major} refuses: {s:?}: {e}");
        }
        (Err(_), Err(_)) => {}
    }
});
