//! Inputs the fuzzers (`fuzz/fuzz_targets/model_*.rs`) found, run through the
//! same checks, so a fixed bug stays fixed.

use cwmpkit_core::model::fuzzing::{check_paths_and_csv, check_schema_xml};

#[test]
fn instance_number_with_leading_zeros() {
    // `0000` parsed as instance 0 and printed back as `0`; now a path error.
    check_paths_and_csv(b"Device.X.0000").unwrap();
    check_paths_and_csv(b"Parameter,Object\nDevice.X.0000.Y,false\n").unwrap();
}

#[test]
fn seeds_pass() {
    check_paths_and_csv(b"Parameter,Object,Writable,Value,Value type\nDevice.A.1.B,false,true,\"x,\"\"y\"\"\",xsd:string\n")
        .unwrap();
    check_schema_xml(include_bytes!("../data/models/aastra/aastra-extensions.xml")).unwrap();
    check_schema_xml(b"<document><model name=\"X:1\"><object name=\"X.\"/></model></document>")
        .unwrap();
}
