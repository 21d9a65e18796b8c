//! MIoT URNs (`urn:<namespace>:<kind>:<name>:<value>[:<vendor-product>:<version>[:…]]`):
//! the parser and every accessor, including the corpus file name built from a URN.
//! Input: one URN text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mikit_miot::Urn;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(urn) = Urn::parse(&text) else {
        return;
    };
    let _ = (urn.as_str(), urn.namespace(), urn.is_vendor(), urn.kind());
    let _ = (
        urn.name(),
        urn.value(),
        urn.value_id(),
        urn.vendor_product(),
    );
    let _ = (
        urn.version(),
        urn.template(),
        urn.is_instance(),
        urn.standard_type(),
    );
    let _ = urn.extra_fields().count();
    let _ = urn.file_name();
    // A parsed URN prints as its text, which parses again to the same URN.
    assert_eq!(Urn::parse(&urn.to_string()).ok().as_ref(), Some(&urn));
});
