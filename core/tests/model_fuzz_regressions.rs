//! Inputs the fuzzers (`fuzz/fuzz_targets/model_*.rs`) found, run through the
//! same checks, so a fixed bug stays fixed.

use cwmpkit_core::fuzzing::model::{check_paths_and_csv, check_schema_xml};

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

#[test]
fn load_any_seeds_pass() {
    use cwmpkit_core::fuzzing::model::check_load_any;
    const DUMP: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/datamodel-dumps/genieacs-sim/data_model_202BC1-BM632w-8KA8WA1151100043.csv"
    );
    #[allow(clippy::disallowed_methods)] // reason: the test reads a corpus file
    let csv = std::fs::read(DUMP).unwrap();
    check_load_any(&csv).unwrap();
    let set = cwmpkit_core::model::load::load_any(&csv, "dump").unwrap().set;
    check_load_any(cwmpkit_core::model::json::to_json(&set).as_bytes()).unwrap();
    check_load_any(include_bytes!(
        "../../../shared/corpus/soap/freeacs/GetParameterValuesResponse.xml"
    ))
    .unwrap();
    check_load_any(b"{\"parameters\": [{\"path\": \"Device.\", \"value\": 1}]}").unwrap();
}
