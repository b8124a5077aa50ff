//! The Decode page: paste or open CWMP traffic, see every message explained.

use crate::components::diagnostics::DecodeErrorBox;
use crate::components::files::{PickedFile, files_of_drop, files_of_input, read_files};
use crate::components::session::{ReportView, Selection};
use crate::links::{self, MessageSelection, key};
use crate::split::split_point;
use crate::workspace::{self, ItemId, Kind, StorageError, use_workspace};
use cwmpkit_core::capture::{self, CaptureError, InputKind, Options};
use cwmpkit_core::cwmp::{self, DecodeError};
use cwmpkit_core::pipeline;
use cwmpkit_core::session::Report;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

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

/// The capture the URL names (`capture=ID`), or a new one: what is pasted or
/// opened is kept in the workspace, and the URL then names it.
#[component]
pub fn DecodePage() -> impl IntoView {
    let (named, _) = links::selection::<ItemId>(key::CAPTURE);
    let shown = workspace::document(named);
    move || {
        let id = shown.get();
        let kept = named.get_untracked() == Some(id);
        view! { <CaptureLoader id kept /> }
    }
}

/// Reads a kept capture once (the bytes as they were opened).
#[component]
fn CaptureLoader(id: ItemId, kept: bool) -> impl IntoView {
    let capture = LocalResource::new(move || async move {
        if !kept {
            return Ok(Input::default());
        }
        let item = use_workspace().open(id).await?;
        Ok::<_, StorageError>(item.files.into_iter().next().map_or_else(Input::default, |file| {
            Input { origin: Some(file.name), bytes: file.bytes }
        }))
    });
    move || {
        capture.get().map(|outcome| match outcome {
            Ok(initial) => view! { <CaptureView id kept initial /> }.into_any(),
            Err(problem) => view! {
                <main class="decode"><div class="error-box" role="alert">{problem.to_string()}</div></main>
            }
            .into_any(),
        })
    }
}

/// The name a pasted capture is kept under.
fn pasted_name() -> String {
    format!("pasted {}", workspace::local_time(js_sys::Date::now() as u64))
}

#[component]
fn CaptureView(id: ItemId, kept: bool, initial: Input) -> impl IntoView {
    let workspace = use_workspace();
    let navigate = use_navigate();
    // Copy, unlike the router's navigate: the handlers below share it.
    let go = Callback::new(move |(url, replace): (String, bool)| {
        navigate(&url, NavigateOptions { replace, scroll: false, ..NavigateOptions::default() })
    });
    let kept = RwSignal::new(kept);
    let engine = RwSignal::new(None::<Engine>);
    let load_engine = move || {
        if engine.get_untracked().is_none() {
            leptos::task::spawn_local(async move { engine.set(Some(decode_engine().await)) });
        }
    };
    if !initial.bytes.is_empty() {
        load_engine();
    }
    let input = RwSignal::new(initial);
    let text = Memo::new(move |_| input.with(|i| String::from_utf8_lossy(&i.bytes).into_owned()));
    let analysis = Memo::new(move |_| {
        let engine = engine.get()?;
        input.with(|i| {
            (!i.bytes.iter().all(u8::is_ascii_whitespace)).then(|| (engine.analyze)(&i.bytes))
        })
    });
    let selection = MessageSelection::from_url();
    // Keeps what is on screen: the first input creates the capture and names
    // it in the URL; later ones (typing) replace its bytes once typing pauses.
    let keep = move |value: &Input| {
        let name = value.origin.clone().unwrap_or_else(pasted_name);
        let files = vec![PickedFile { name: name.clone(), bytes: value.bytes.clone() }];
        if kept.get_untracked() {
            workspace.later(id, move || {
                leptos::task::spawn_local(async move {
                    let _ = workspace.save_files(id, files).await;
                });
            });
            return;
        }
        leptos::task::spawn_local(async move {
            if workspace.create_as(id, Kind::Capture, &name, files, "{}").await.is_ok() {
                kept.set(true);
                go.run((links::item(Kind::Capture, id), true));
            }
        });
    };
    // Every new input starts at its first message.
    let load = move |value: Input| {
        selection.set((0, 0));
        if !value.bytes.is_empty() {
            keep(&value);
            load_engine();
        }
        input.set(value);
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
        <h1 class="visually-hidden">"Decode"</h1>
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
                    id="new-capture"
                    title="Start a new capture; this one stays in the workspace"
                    on:click=move |_| {
                        if kept.get_untracked() {
                            go.run(("/".to_owned(), false));
                        } else {
                            load(Input::default());
                        }
                    }
                >
                    "New"
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
                aria-label="Traffic to decode: SOAP envelopes, an HTTP transcript, a log, or a capture"
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
    Analysis { report: pipeline::analyze(bytes, &Options::default()), soap_error }
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
