//! The Decode page: paste or open CWMP traffic, see every message explained.

use crate::components::diagnostics::DecodeErrorBox;
use crate::components::files::{PickedFile, files_of_drop, files_of_input, read_files};
use crate::components::session::{ReportView, Selection};
use crate::split::split_point;
use cwmpkit_core::capture::{self, CaptureError, InputKind, Options};
use cwmpkit_core::cwmp::{self, DecodeError};
use cwmpkit_core::session::{self, Report};
use leptos::prelude::*;

/// What the user gave us: the bytes as they came (a file may be Latin-1), and
/// where they came from. Editing the text area replaces the bytes.
#[derive(Debug, Clone, PartialEq, Default)]
struct Input {
    origin: Option<String>,
    bytes: Vec<u8>,
}

/// Decoding and what shows its result: a split point, fetched with the first
/// input, so that the page's first screen does not wait for the decoders.
#[derive(Clone, Copy)]
struct Engine {
    analyze: fn(&[u8]) -> Analysis,
    result_view: fn(Analysis, Selection) -> AnyView,
}

split_point! {
    fn decode_engine() -> Engine {
        Engine {
            analyze,
            result_view: |Analysis { report, soap_error }, selection| view! {
                {soap_error.map(|error| view! { <DecodeErrorBox error /> })}
                {match report {
                    Ok(report) => view! { <ReportView report selection /> }.into_any(),
                    Err(error) => view! { <CaptureErrorBox error /> }.into_any(),
                }}
            }.into_any(),
        }
    }
}

#[component]
pub fn DecodePage() -> impl IntoView {
    let engine = RwSignal::new(None::<Engine>);
    let input = RwSignal::new(Input::default());
    let text = Memo::new(move |_| input.with(|i| String::from_utf8_lossy(&i.bytes).into_owned()));
    let analysis = Memo::new(move |_| {
        let engine = engine.get()?;
        input.with(|i| {
            (!i.bytes.iter().all(u8::is_ascii_whitespace)).then(|| (engine.analyze)(&i.bytes))
        })
    });
    let selection = RwSignal::new((0usize, 0usize));
    // Every new input starts at its first message.
    let load = move |value: Input| {
        selection.set((0, 0));
        input.set(value);
        if engine.get_untracked().is_none() {
            leptos::task::spawn_local(async move { engine.set(Some(decode_engine().await)) });
        }
    };

    let take_first = move |files: Vec<PickedFile>| {
        if let Some(file) = files.into_iter().next() {
            load(Input { origin: Some(file.name), bytes: file.bytes });
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        if let Some(files) = files_of_input(&ev) {
            read_files(files, take_first);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(files) = files_of_drop(&ev) {
            read_files(files, take_first);
        }
    };
    let is_binary = Memo::new(move |_| input.with(|i| looks_binary(&i.bytes)));

    view! {
        <main class="decode">
        <section
            class="input-panel"
            on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=on_drop
        >
            <div class="input-toolbar">
                <label class="button" for="file-input">"Open file…"</label>
                <input id="file-input" type="file" accept=".xml,.txt,.log,.soap,.pcap,.pcapng,.cap,.json,.yaml" on:change=on_file />
                <button
                    id="load-example"
                    class="button secondary"
                    on:click=move |_| load(Input {
                        origin: Some("example Inform".into()),
                        bytes: EXAMPLE_INFORM.as_bytes().to_vec(),
                    })
                >
                    "Load an example"
                </button>
                <button
                    class="button secondary"
                    on:click=move |_| load(Input::default())
                >
                    "Clear"
                </button>
                <span class="origin">{move || input.with(|i| i.origin.clone().unwrap_or_default())}</span>
            </div>
            <Show when=move || is_binary.get()>
                <div id="binary-input" class="binary-input">
                    <strong>{move || input.with(|i| i.origin.clone().unwrap_or_default())}</strong>
                    {move || input.with(|i| format!(" · {} bytes of binary data", i.bytes.len()))}
                </div>
            </Show>
            <textarea
                id="soap-input"
                class:hidden=move || is_binary.get()
                spellcheck="false"
                wrap="off"
                placeholder="Paste SOAP envelopes, or drop a file here (an Inform, a GetParameterValuesResponse…)"
                prop:value=move || text.get()
                on:input:target=move |ev| load(Input { origin: None, bytes: ev.target().value().into_bytes() })
            ></textarea>
        </section>
        <section id="decode-result" class="result-panel">
            {move || match analysis.get() {
                None => view! {
                    <p class="hint">
                        "Sessions, messages and their checks appear here. Nothing leaves your browser."
                    </p>
                }.into_any(),
                Some(analysis) => match engine.get() {
                    Some(engine) => (engine.result_view)(analysis, selection),
                    None => ().into_any(),
                },
            }}
        </section>
        </main>
    }
}

/// What the page shows for one input: the sessions, and for SOAP text that
/// does not parse, the codec's error with its line and column.
#[derive(Debug, Clone, PartialEq)]
struct Analysis {
    report: Result<Report, CaptureError>,
    soap_error: Option<DecodeError>,
}

fn analyze(bytes: &[u8]) -> Analysis {
    let soap_error = match capture::detect(bytes) {
        Some(InputKind::Soap) | None => cwmp::decode(bytes).err(),
        Some(_) => None,
    };
    Analysis { report: session::analyze(bytes, &Options::default()), soap_error }
}

#[component]
fn CaptureErrorBox(error: CaptureError) -> impl IntoView {
    view! {
        <div id="capture-error" class="error-box" role="alert">
            <strong class="error-where">{format!("Byte {}", error.offset)}</strong>
            {format!(" ({:?} layer): ", error.layer)}
            <span class="error-message">{error.message}</span>
        </div>
    }
}

/// Text never holds NUL bytes; captures nearly always do in their headers.
fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(4096).any(|&b| b == 0)
}

/// A hand-written Inform from an Aastra 6867i, for a first look at the app.
const EXAMPLE_INFORM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:cwmp="urn:dslforum-org:cwmp-1-0">
  <soap:Header>
    <cwmp:ID soap:mustUnderstand="1">6867i-0001</cwmp:ID>
  </soap:Header>
  <soap:Body>
    <cwmp:Inform>
      <DeviceId>
        <Manufacturer>Aastra</Manufacturer>
        <OUI>00085D</OUI>
        <ProductClass>6867i</ProductClass>
        <SerialNumber>00085D1A2B3C</SerialNumber>
      </DeviceId>
      <Event soapenc:arrayType="cwmp:EventStruct[2]">
        <EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct>
        <EventStruct><EventCode>M Reboot</EventCode><CommandKey>maint-42</CommandKey></EventStruct>
      </Event>
      <MaxEnvelopes>1</MaxEnvelopes>
      <CurrentTime>2026-11-24T09:30:00Z</CurrentTime>
      <RetryCount>0</RetryCount>
      <ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[4]">
        <ParameterValueStruct>
          <Name>Device.DeviceInfo.SoftwareVersion</Name>
          <Value xsi:type="xsd:string">5.1.0.2041</Value>
        </ParameterValueStruct>
        <ParameterValueStruct>
          <Name>Device.ManagementServer.ConnectionRequestURL</Name>
          <Value xsi:type="xsd:string">http://192.0.2.10:7547/cr</Value>
        </ParameterValueStruct>
        <ParameterValueStruct>
          <Name>Device.ManagementServer.PeriodicInformInterval</Name>
          <Value xsi:type="xsd:unsignedInt">3600</Value>
        </ParameterValueStruct>
        <ParameterValueStruct>
          <Name>Device.ManagementServer.ParameterKey</Name>
          <Value>initial</Value>
        </ParameterValueStruct>
      </ParameterList>
    </cwmp:Inform>
  </soap:Body>
</soap:Envelope>
"#;
