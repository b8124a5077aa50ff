//! What the Decode page and its worker say to each other: requests one way, answers the other,
//! as JSON text (a file travels beside the JSON, as the browser's own `File`).

use cwmpkit_core::capture::{CaptureError, InputKind};
use cwmpkit_core::cwmp::{DecodeError, Envelope};
use cwmpkit_core::pipeline::Progress;
use cwmpkit_core::session::query::{Filter, SessionRow, TimelineRow};
use cwmpkit_core::session::raw::XmlLine;
use cwmpkit_core::session::{Direction, HttpConnectionRequest};
use cwmpkit_core::{Diagnostic, Timestamp};
use serde::{Deserialize, Serialize};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Xml,
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Request {
    /// Warm V8's tiers up with a small built-in sample (`warm_up`) until the next request comes
    /// or the warm-up ends; answered with [`Response::WarmedUp`] when it ends by itself.
    WarmUp,
    /// Decode the `File` sent beside this request.
    OpenFile { name: String },
    /// Decode pasted text.
    OpenText { text: String },
    /// The sessions that meet `filter`, from `offset` on, at most `limit`.
    Sessions { filter: Filter, offset: usize, limit: usize },
    /// One session's timeline, its rows from `offset` on, at most `limit`; `reveal`: a message
    /// whose row's position the answer gives; `findings`: whether to send the session's findings
    /// (the same for every window).
    Timeline {
        session: u32,
        filter: Filter,
        offset: usize,
        limit: usize,
        reveal: Option<usize>,
        findings: bool,
    },
    /// One message in full.
    Message { session: u32, message: usize },
    /// A session (`message: None`) or a message as a file; `for_parameters`: a message's XML for
    /// the Parameters page to open.
    Export {
        session: u32,
        message: Option<usize>,
        format: Format,
        #[serde(default)]
        for_parameters: bool,
    },
}

/// What the input held besides sessions, once it is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub name: String,
    pub input: Option<InputKind>,
    pub bytes: u64,
    pub sessions: usize,
    pub messages: usize,
    pub connection_requests: Vec<HttpConnectionRequest>,
    pub tls: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// What stopped the reading, if something did (what came before it is kept).
    pub error: Option<CaptureError>,
    /// For SOAP text that does not parse: where the XML breaks.
    pub soap_error: Option<DecodeError>,
    /// How long decoding took in the worker, milliseconds (reading the file included).
    pub millis: f64,
    /// Of [`millis`](Self::millis), the time the decoder waited for the file's bytes.
    #[serde(default)]
    pub read_wait_millis: f64,
    /// The warm-up as it stood when this input came (`None`: none was asked for).
    #[serde(default)]
    pub warm_up: Option<WarmUp>,
}

/// What the worker's warm-up did: runs of its built-in sample, and what they took.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WarmUp {
    /// Runs of the sample done.
    pub runs: u32,
    /// The sample's size, and the CWMP messages one run of it decodes.
    pub sample_bytes: usize,
    pub sample_messages: usize,
    /// The first run's time and the fastest run's, milliseconds: what V8's optimising tier bought.
    pub first_millis: f64,
    pub best_millis: f64,
    /// From the request to the end of the last run, milliseconds (pauses between runs included).
    pub millis: f64,
    /// Whether it ran to its end; else an input came first (or it had not started).
    pub finished: bool,
}

/// One message in full, for the detail pane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageDetail {
    pub session: u32,
    pub message: usize,
    pub rpc: String,
    pub direction: Direction,
    pub time: Option<Timestamp>,
    pub diagnostics: Vec<Diagnostic>,
    pub envelope: Option<Envelope>,
    /// The HTTP start line and headers, when it came over HTTP.
    pub head: Option<String>,
    /// The body, laid out for reading.
    pub lines: Vec<XmlLine>,
    /// Whether the Parameters page can open it.
    pub carries_values: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Response {
    /// The worker is loaded and listening.
    Ready,
    /// The warm-up ran to its end.
    WarmedUp {
        warm_up: WarmUp,
    },
    Progress {
        progress: Progress,
        total: u64,
    },
    Done {
        summary: Box<Summary>,
    },
    Sessions {
        filter: Filter,
        offset: usize,
        total: usize,
        rows: Vec<SessionRow>,
    },
    Timeline {
        session: u32,
        filter: Filter,
        row: Option<SessionRow>,
        /// Rows in the whole timeline; `rows` are those from `offset` on.
        total: usize,
        offset: usize,
        rows: Vec<TimelineRow>,
        /// Where in the timeline the row of the message to reveal is.
        revealed: Option<usize>,
        /// The first message that meets the filter: the one shown when none is chosen.
        opening: Option<usize>,
        /// When asked for.
        findings: Option<Vec<Diagnostic>>,
    },
    /// One message in full: a [`MessageDetail`] as JSON text, which only the page's result views
    /// read (a split point of their own, so the page's first screen carries no envelope reader).
    Message {
        session: u32,
        message: usize,
        detail: String,
    },
    /// A file to hand to the user (an export, or parameters for the Parameters page).
    File {
        name: String,
        mime: String,
        text: String,
        for_parameters: bool,
    },
    Failed {
        message: String,
    },
}
