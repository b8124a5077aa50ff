//! TCP reassembly: segments → per-direction runs of contiguous bytes.
//!
//! Retransmissions and overlaps are trimmed against what was already delivered, out-of-order
//! segments wait (up to [`Limits::max_pending_bytes_per_direction`]) for the hole before them, and a
//! hole that never fills becomes a gap between two runs. Captures that start mid-connection are
//! picked up from the first segment seen. Memory is the delivered bytes plus the pending bytes,
//! which are bounded per direction and, across all connections, by
//! [`Limits::max_pending_bytes_total`]: past it, the direction holding the most pending bytes has
//! its holes declared gaps at once: its `tcp-gap` finding says so, and one `tcp-memory-cap`
//! finding for the whole capture counts what the cap cost (a capture of 100,000 connections gets
//! one explanation, not 100,000).
//!
//! A connection is handed out as soon as it is over (both directions closed up to their FIN with
//! no hole left, or reset; [`Reassembler::take_completed`]), so that a streaming reader holds only
//! the bytes of connections still open. Its 4-tuple is remembered: late segments of a finished
//! connection (retransmitted FINs, stray ACKs) are dropped, and only a new handshake reopens it.

use super::{Diagnostic, Limits, Source};
use crate::base::Severity;
use crate::base::Timestamp;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::SocketAddr;

/// One TCP segment as read off the wire.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    pub time: Option<Timestamp>,
    pub source: SocketAddr,
    pub destination: SocketAddr,
    pub sequence: u32,
    pub syn: bool,
    pub ack: bool,
    pub fin: bool,
    pub rst: bool,
    pub payload: &'a [u8],
    /// Where in the input the segment's record or text starts, to point findings at it.
    pub input_offset: Option<usize>,
}

/// Contiguous bytes of one direction, and when each part arrived.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Run {
    /// Bytes missing between the previous run and this one (0 for the first run).
    pub gap_before: u64,
    pub data: Vec<u8>,
    /// (offset in `data`, arrival time, origin) at each segment boundary, ascending offsets. The
    /// origin is where the segment's bytes are in the input: the record or block of a capture
    /// file that carried it. One list, not two: a list is an allocation per run.
    pub arrivals: Vec<(usize, Option<Timestamp>, Option<usize>)>,
}

impl Run {
    /// Arrival time of the segment that carried byte `offset`.
    pub fn time_at(&self, offset: usize) -> Option<Timestamp> {
        let index = self.arrivals.partition_point(|(start, ..)| *start <= offset);
        self.arrivals.get(index.checked_sub(1)?).and_then(|(_, time, _)| *time)
    }

    /// Where byte `offset` of `data` is in the input (see [`Run::arrivals`]).
    pub fn input_offset(&self, offset: usize) -> Option<usize> {
        let index = self.arrivals.partition_point(|(start, ..)| *start <= offset).checked_sub(1)?;
        self.arrivals.get(index).and_then(|(_, _, origin)| *origin)
    }
}

/// One direction of a connection, reassembled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Direction {
    pub source: Option<SocketAddr>,
    pub runs: Vec<Run>,
}

/// A reassembled connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stream {
    /// Source of the first segment seen.
    pub first: SocketAddr,
    pub second: SocketAddr,
    /// The endpoint that sent a SYN without ACK, when the handshake was captured.
    pub opener: Option<SocketAddr>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// `[first → second, second → first]`.
    pub directions: [Direction; 2],
    pub diagnostics: Vec<Diagnostic>,
}

/// When bytes arrived, and where they are in the input.
type Arrival = (Option<Timestamp>, Option<usize>);

/// Out-of-order bytes waiting for the hole before them. Boxed in the map: a map node has room
/// for eleven values, and most directions that wait hold one segment (100,000 connections each
/// holding one made 1 KB nodes, twice what they held).
#[derive(Debug)]
struct Waiting {
    bytes: Vec<u8>,
    arrival: Arrival,
}

#[derive(Debug, Default)]
struct DirectionState {
    /// Sequence number of stream offset 0.
    base: Option<u32>,
    /// Stream offset the next in-order byte will have.
    next: u64,
    /// By stream offset. Dropped (with its node) whenever it empties.
    pending: BTreeMap<u64, Box<Waiting>>,
    pending_bytes: usize,
    runs: Vec<Run>,
    closed: bool,
    /// Stream offset just past the FIN, once the FIN was seen with a known sequence base.
    fin_at: Option<u64>,
    reset: bool,
}

/// Pushes onto a list, making room for exactly one the first time: most connections have one
/// run, and the shortest have one segment, where a list's usual first room is four.
fn push_first_room_for_one<T>(list: &mut Vec<T>, item: T) {
    if list.capacity() == 0 {
        list.reserve_exact(1);
    }
    list.push(item);
}

impl DirectionState {
    /// Maps a 32-bit sequence number to the 64-bit stream offset nearest to `next`.
    fn offset_of(&self, base: u32, sequence: u32) -> u64 {
        let relative = u64::from(sequence.wrapping_sub(base));
        let wraps = self.next >> 32;
        [wraps.saturating_sub(1), wraps, wraps + 1]
            .into_iter()
            .map(|w| (w << 32) | relative)
            .min_by_key(|candidate| candidate.abs_diff(self.next))
            .unwrap_or(relative)
    }

    fn deliver(&mut self, data: &[u8], time: Option<Timestamp>, origin: Option<usize>) {
        if self.runs.is_empty() {
            push_first_room_for_one(&mut self.runs, Run::default());
        }
        if let Some(run) = self.runs.last_mut() {
            push_first_room_for_one(&mut run.arrivals, (run.data.len(), time, origin));
            run.data.extend_from_slice(data);
        }
        self.next += data.len() as u64;
    }

    fn start_run_after_gap(&mut self, gap: u64) {
        push_first_room_for_one(&mut self.runs, Run { gap_before: gap, ..Run::default() });
        self.next += gap;
    }

    /// Adds bytes at `offset`; delivers what became contiguous.
    fn add(&mut self, offset: u64, data: &[u8], (time, origin): Arrival, limits: &Limits) -> u64 {
        let mut gaps = 0;
        let end = offset + data.len() as u64;
        if end <= self.next {
            return 0; // retransmission of bytes already delivered
        }
        if offset <= self.next {
            let skip = usize::try_from(self.next - offset).unwrap_or(usize::MAX);
            self.deliver(data.get(skip..).unwrap_or_default(), time, origin);
        } else {
            let kept = self.pending.get(&offset).map_or(0, |waiting| waiting.bytes.len());
            if data.len() > kept {
                self.pending_bytes = self.pending_bytes - kept + data.len();
                let waiting = Waiting { bytes: data.to_vec(), arrival: (time, origin) };
                self.pending.insert(offset, Box::new(waiting));
            }
        }
        // Drain what the new bytes made contiguous; if too much waits, the hole is a loss.
        while let Some((&first, _)) = self.pending.first_key_value() {
            if first > self.next {
                if self.pending_bytes <= limits.max_pending_bytes_per_direction {
                    break;
                }
                gaps += 1;
                self.start_run_after_gap(first - self.next);
            }
            let Some((first, waiting)) = self.pending.pop_first() else { break };
            self.pending_bytes -= waiting.bytes.len();
            self.deliver_waiting(first, &waiting);
        }
        if self.pending.is_empty() {
            // An emptied map keeps its node until dropped.
            self.pending = BTreeMap::new();
        }
        gaps
    }

    /// Delivers what of waiting bytes at `first` is past what was delivered already.
    fn deliver_waiting(&mut self, first: u64, waiting: &Waiting) {
        let end = first + waiting.bytes.len() as u64;
        if end > self.next {
            let skip = usize::try_from(self.next - first).unwrap_or(usize::MAX);
            let (time, origin) = waiting.arrival;
            self.deliver(waiting.bytes.get(skip..).unwrap_or_default(), time, origin);
        }
    }

    /// End of capture: what still waits is after a hole that never filled.
    fn flush(&mut self) -> u64 {
        let mut gaps = 0;
        for (first, waiting) in std::mem::take(&mut self.pending) {
            if first > self.next {
                gaps += 1;
                self.start_run_after_gap(first - self.next);
            }
            self.deliver_waiting(first, &waiting);
        }
        self.pending_bytes = 0;
        gaps
    }

    /// Nothing more can come this way: a reset, or a FIN every byte before which arrived.
    fn is_over(&self) -> bool {
        self.reset
            || (self.closed
                && self.pending.is_empty()
                && self.fin_at.is_none_or(|fin| self.next >= fin))
    }
}

#[derive(Debug)]
struct ConnectionState {
    first: SocketAddr,
    second: SocketAddr,
    opener: Option<SocketAddr>,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    directions: [DirectionState; 2],
    diagnostics: Vec<Diagnostic>,
    gaps: u64,
    mid_stream: bool,
    /// Times the global pending cap forced this connection's holes to be gaps.
    capped: u32,
}

impl ConnectionState {
    fn new(segment: &Segment<'_>) -> Self {
        Self {
            first: segment.source,
            second: segment.destination,
            opener: None,
            start: segment.time,
            end: segment.time,
            directions: Default::default(),
            diagnostics: Vec::new(),
            gaps: 0,
            mid_stream: false,
            capped: 0,
        }
    }

    fn has_data(&self) -> bool {
        self.directions.iter().any(|d| d.next > 0)
    }

    /// Both directions are over (or one was reset): the connection can be handed out.
    fn is_over(&self) -> bool {
        self.directions.iter().any(|d| d.reset)
            || self.directions.iter().all(DirectionState::is_over)
    }

    fn into_stream(mut self) -> Stream {
        for direction in &mut self.directions {
            self.gaps += direction.flush();
        }
        if self.mid_stream {
            self.diagnostics.push(Diagnostic::new(
                Severity::Info,
                Source::Tcp,
                "tcp-mid-stream",
                "the capture starts after the connection opened; decoding starts at the first \
                 segment seen",
            ));
        }
        if self.gaps > 0 {
            let missing: u64 =
                self.directions.iter().flat_map(|d| d.runs.iter().map(|r| r.gap_before)).sum();
            self.diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Source::Tcp,
                "tcp-gap",
                format!(
                    "{} gap(s), {missing} byte(s) never captured{}; HTTP decoding resumes at the \
                     next message",
                    self.gaps,
                    if self.capped > 0 { CAPPED } else { "" }
                ),
            ));
        }
        let [a, b] = self.directions;
        let directions = [
            Direction { source: Some(self.first), runs: a.runs },
            Direction { source: Some(self.second), runs: b.runs },
        ];
        Stream {
            first: self.first,
            second: self.second,
            opener: self.opener,
            start: self.start,
            end: self.end,
            directions,
            diagnostics: self.diagnostics,
        }
    }
}

/// What a connection's `tcp-gap` finding adds when the global cap made some of its gaps.
pub const CAPPED: &str = " (some declared early by the global out-of-order cap, tcp-memory-cap)";

type Key = (SocketAddr, SocketAddr);

fn key_of(a: SocketAddr, b: SocketAddr) -> Key {
    if a <= b { (a, b) } else { (b, a) }
}

/// What reassembly held and gave up, for [`super::Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReassemblyStats {
    /// The most out-of-order bytes held at once, across all connections.
    pub peak_pending_bytes: usize,
    /// Out-of-order bytes whose holes the global cap declared gaps early.
    pub capped_bytes: u64,
}

/// Collects segments of every connection; [`Reassembler::finish`] hands the streams out.
#[derive(Debug)]
pub struct Reassembler {
    limits: Limits,
    /// Boxed, so that the table (which has room for up to twice the connections, and a second
    /// table while it grows) holds a pointer each, not the state.
    open: HashMap<Key, Box<ConnectionState>>,
    done: Vec<ConnectionState>,
    /// 4-tuples of connections handed out as over: their late segments are dropped.
    finished: HashSet<Key>,
    /// Out-of-order bytes waiting in all open connections.
    pending_total: usize,
    /// Every open direction holding out-of-order bytes, by how many: the global cap finds the
    /// largest without looking at the others, so a capture of many connections stays linear.
    by_pending: BTreeSet<(usize, Key, usize)>,
    stats: ReassemblyStats,
}

impl Reassembler {
    pub fn new(limits: &Limits) -> Self {
        Self {
            limits: limits.clone(),
            open: HashMap::new(),
            done: Vec::new(),
            finished: HashSet::new(),
            pending_total: 0,
            by_pending: BTreeSet::new(),
            stats: ReassemblyStats::default(),
        }
    }

    /// Out-of-order bytes held across all connections (never above the global cap once
    /// [`Reassembler::add`] returns).
    pub fn pending_bytes(&self) -> usize {
        self.pending_total
    }

    pub fn stats(&self) -> ReassemblyStats {
        self.stats
    }

    /// Connections that are over, in the order they ended, as streams; they leave the
    /// reassembler (and its memory) now.
    pub fn take_completed(&mut self) -> Vec<Stream> {
        std::mem::take(&mut self.done).into_iter().map(ConnectionState::into_stream).collect()
    }

    /// The earliest start among connections still open: nothing handed out later began before it
    /// (for a capture whose packets are in time order).
    pub fn earliest_open_start(&self) -> Option<Option<Timestamp>> {
        self.open.values().map(|c| c.start).min()
    }

    /// Keeps the index right when a direction's pending bytes go from `before` to `after`.
    fn reindex(&mut self, key: Key, index: usize, before: usize, after: usize) {
        if before == after {
            return;
        }
        if before > 0 {
            self.by_pending.remove(&(before, key, index));
        }
        if after > 0 {
            self.by_pending.insert((after, key, index));
        }
        self.pending_total = self.pending_total - before + after;
    }

    /// While too much waits, the direction holding the most gives up on its holes.
    fn enforce_total_cap(&mut self) {
        while self.pending_total > self.limits.max_pending_bytes_total {
            let Some((pending, key, index)) = self.by_pending.pop_last() else { break };
            self.pending_total -= pending;
            self.stats.capped_bytes += pending as u64;
            if let Some(connection) = self.open.get_mut(&key) {
                connection.gaps += connection.directions[index].flush();
                connection.capped += 1;
            }
        }
    }

    pub fn add(&mut self, segment: Segment<'_>, _diagnostics: &mut Vec<Diagnostic>) {
        let key = key_of(segment.source, segment.destination);
        let opening = segment.syn && !segment.ack;
        // One hash lookup for the common case, a segment of a connection already open.
        let connection = match self.open.entry(key) {
            Entry::Occupied(entry) => {
                let existing = entry.get();
                // A new handshake on a 4-tuple that already carried data is a new connection.
                if opening && (existing.has_data() || existing.directions.iter().any(|d| d.closed))
                {
                    let mut finished = entry.remove();
                    // A finished connection's holes will never fill: settle them now.
                    for (index, direction) in finished.directions.iter_mut().enumerate() {
                        self.by_pending.remove(&(direction.pending_bytes, key, index));
                        self.pending_total -= direction.pending_bytes;
                        finished.gaps += direction.flush();
                    }
                    self.done.push(*finished);
                    self.open.entry(key).or_insert_with(|| Box::new(ConnectionState::new(&segment)))
                } else {
                    entry.into_mut()
                }
            }
            Entry::Vacant(entry) => {
                // Late segments of a connection handed out are dropped; a handshake reopens it.
                if !self.finished.is_empty() && self.finished.contains(&key) {
                    if !opening {
                        return;
                    }
                    self.finished.remove(&key);
                }
                entry.insert(Box::new(ConnectionState::new(&segment)))
            }
        };
        if opening {
            connection.opener = Some(segment.source);
        }
        if segment.time.is_some() && (connection.end.is_none() || segment.time > connection.end) {
            connection.end = segment.time;
        }
        let index = usize::from(segment.source != connection.first);
        let limits = &self.limits;
        let state = &mut connection.directions[index];
        let mut sequence = segment.sequence;
        if segment.syn {
            // The SYN consumes one sequence number; data starts after it.
            sequence = sequence.wrapping_add(1);
            if state.base.is_none() {
                state.base = Some(sequence);
            }
        }
        state.reset |= segment.rst;
        if segment.payload.is_empty() {
            if segment.fin || segment.rst {
                state.closed = true;
            }
            if segment.fin
                && let Some(base) = state.base
            {
                state.fin_at = Some(state.offset_of(base, sequence));
            }
            if connection.is_over() {
                self.complete(key);
            }
            return;
        }
        let base = match state.base {
            Some(base) => base,
            None => {
                if !segment.syn && state.next == 0 {
                    connection.mid_stream |= connection.opener.is_none();
                }
                state.base = Some(sequence);
                sequence
            }
        };
        let offset = state.offset_of(base, sequence);
        let pending_before = state.pending_bytes;
        connection.gaps +=
            state.add(offset, segment.payload, (segment.time, segment.input_offset), limits);
        if segment.fin || segment.rst {
            state.closed = true;
        }
        if segment.fin {
            state.fin_at = Some(offset + segment.payload.len() as u64);
        }
        let pending_after = state.pending_bytes;
        let mut over = connection.is_over();
        self.reindex(key, index, pending_before, pending_after);
        self.stats.peak_pending_bytes = self.stats.peak_pending_bytes.max(self.pending_total);
        if self.pending_total > self.limits.max_pending_bytes_total {
            // Holes declared gaps may have closed this connection too.
            self.enforce_total_cap();
            over = self.open.get(&key).is_some_and(|c| c.is_over());
        }
        if over {
            self.complete(key);
        }
    }

    /// Hands a connection out: nothing more can arrive for it.
    fn complete(&mut self, key: Key) {
        if let Some(connection) = self.open.remove(&key) {
            for (index, direction) in connection.directions.iter().enumerate() {
                if direction.pending_bytes > 0 {
                    self.by_pending.remove(&(direction.pending_bytes, key, index));
                    self.pending_total -= direction.pending_bytes;
                }
            }
            self.finished.insert(key);
            self.done.push(*connection);
        }
    }

    /// Every connection, in the order it was first seen.
    pub fn finish(self, diagnostics: &mut Vec<Diagnostic>) -> Vec<Stream> {
        self.finish_in_order(diagnostics).collect()
    }

    /// Every connection not taken yet, in the order it was first seen, each made a stream only
    /// when asked for: a capture ending with 100,000 connections open never holds them all
    /// as streams at once.
    pub fn finish_in_order(self, diagnostics: &mut Vec<Diagnostic>) -> LeftOpen {
        let capped =
            self.open.values().map(|c| &**c).chain(&self.done).filter(|c| c.capped > 0).count();
        if capped > 0 {
            diagnostics.push(Diagnostic::new(
                Severity::Warning,
                Source::Tcp,
                "tcp-memory-cap",
                format!(
                    "the capture held more out-of-order bytes than the reassembly cap across all \
                     connections (Limits::max_pending_bytes_total, {} bytes): {capped} \
                     connection(s) had holes declared gaps early, {} waiting byte(s) delivered \
                     after them, and bytes arriving later for those holes were dropped",
                    self.limits.max_pending_bytes_total, self.stats.capped_bytes
                ),
            ));
        }
        // Sorted as pointers: the states stay where they are.
        let mut all: Vec<_> = self.done.into_iter().map(Box::new).collect();
        all.extend(self.open.into_values());
        all.sort_by_key(|c| (c.start, c.first, c.second));
        LeftOpen { connections: all.into_iter() }
    }
}

/// The connections a capture left open (see [`Reassembler::finish_in_order`]), in the order
/// they began.
#[derive(Debug)]
pub struct LeftOpen {
    connections: std::vec::IntoIter<Box<ConnectionState>>,
}

impl LeftOpen {
    /// When the next connection began (`None` when none is left).
    pub fn next_start(&self) -> Option<Option<Timestamp>> {
        self.connections.as_slice().first().map(|c| c.start)
    }

    pub fn is_empty(&self) -> bool {
        self.connections.len() == 0
    }
}

impl Iterator for LeftOpen {
    type Item = Stream;

    fn next(&mut self) -> Option<Stream> {
        self.connections.next().map(|c| (*c).into_stream())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.connections.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(from_client: bool, sequence: u32, payload: &[u8]) -> Segment<'_> {
        let client: SocketAddr = "10.0.0.1:40000".parse().unwrap();
        let server: SocketAddr = "10.0.0.2:80".parse().unwrap();
        let (source, destination) = if from_client { (client, server) } else { (server, client) };
        Segment {
            time: None,
            source,
            destination,
            sequence,
            syn: false,
            ack: true,
            fin: false,
            rst: false,
            payload,
            input_offset: None,
        }
    }

    fn client_bytes(segments: &[Segment<'_>], limits: &Limits) -> Vec<Run> {
        let mut reassembler = Reassembler::new(limits);
        let mut diagnostics = Vec::new();
        for s in segments {
            reassembler.add(*s, &mut diagnostics);
        }
        let streams = reassembler.finish(&mut diagnostics);
        streams[0].directions[0].runs.clone()
    }

    #[test]
    fn retransmissions_overlaps_and_reordering_give_the_sent_bytes() {
        let segments = [
            segment(true, 1000, b"hello "),
            segment(true, 1010, b"d!"),     // out of order
            segment(true, 1000, b"hello "), // retransmission
            segment(true, 1004, b"o wor"),  // overlap
            segment(true, 1009, b"ld"),
        ];
        let runs = client_bytes(&segments, &Limits::default());
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].data, b"hello world!");
    }

    #[test]
    fn a_hole_that_never_fills_is_a_gap() {
        let segments = [segment(true, u32::MAX - 2, b"abc"), segment(true, 10, b"xyz")];
        let runs = client_bytes(&segments, &Limits::default());
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].data, b"abc");
        assert_eq!(runs[1].gap_before, 10);
        assert_eq!(runs[1].data, b"xyz");
    }

    #[test]
    fn pending_bytes_are_bounded_across_interleaved_connections() {
        let limits = Limits {
            max_pending_bytes_per_direction: 1 << 20,
            max_pending_bytes_total: 10_000,
            ..Limits::default()
        };
        let mut reassembler = Reassembler::new(&limits);
        let mut diagnostics = Vec::new();
        let payload = [b'x'; 700];
        let server: SocketAddr = "10.0.0.2:80".parse().unwrap();
        let client = |n: u16| SocketAddr::new([10, 1, (n >> 8) as u8, n as u8].into(), 40000 + n);
        // 300 connections, interleaved: each sends its first byte, then bytes after a hole that
        // fills only at the end. Without a global cap 300 × 1400 bytes would wait at once.
        let mut peak = 0;
        for round in 0..3u32 {
            for n in 0..300u16 {
                let sequence = if round == 0 { 0 } else { 1 + round * 1000 };
                let data: &[u8] = if round == 0 { b"P" } else { &payload };
                let segment = Segment {
                    source: client(n),
                    destination: server,
                    sequence,
                    ..segment(true, 0, data)
                };
                reassembler.add(segment, &mut diagnostics);
                peak = peak.max(reassembler.pending_bytes());
            }
        }
        assert!(peak <= 10_000, "peak {peak}");
        for n in 0..300u16 {
            let fill = [b'y'; 999];
            let segment = Segment {
                source: client(n),
                destination: server,
                sequence: 1,
                ..segment(true, 0, &fill)
            };
            reassembler.add(segment, &mut diagnostics);
        }
        let streams = reassembler.finish(&mut diagnostics);
        assert_eq!(streams.len(), 300);
        let capped: Vec<&Stream> = streams
            .iter()
            .filter(|s| s.diagnostics.iter().any(|d| d.message.contains(CAPPED)))
            .collect();
        assert_eq!(diagnostics.iter().filter(|d| d.code == "tcp-memory-cap").count(), 1);
        // Most connections were made to give up their holes; the last ones kept them and
        // got every byte in one run once the hole filled.
        assert!(capped.len() > 250, "{}", capped.len());
        for stream in &streams {
            let runs = &stream.directions[0].runs;
            let bytes: usize = runs.iter().map(|r| r.data.len()).sum();
            if capped.iter().any(|c| c.first == stream.first) {
                assert!(runs.len() > 1 && runs[1].gap_before > 0);
                assert!(stream.diagnostics.iter().any(|d| d.code == "tcp-gap"));
            } else {
                assert_eq!(runs.len(), 1);
                assert_eq!(bytes, 1 + 999 + 700 * 2 + 1);
            }
        }
    }

    #[test]
    fn connections_left_open_become_streams_one_at_a_time_in_the_order_they_began() {
        let mut reassembler = Reassembler::new(&Limits::default());
        let mut diagnostics = Vec::new();
        let server: SocketAddr = "10.0.0.2:80".parse().unwrap();
        for n in (0..3u16).rev() {
            let time = Some(Timestamp::from_unix_nanos(i128::from(n)));
            let source = SocketAddr::new([10, 1, 0, n as u8].into(), 40000);
            // One delivered byte, and one waiting after a hole.
            for (sequence, byte) in [(0, b"a"), (5, b"b")] {
                let segment = Segment {
                    time,
                    source,
                    destination: server,
                    sequence,
                    ..segment(true, 0, byte)
                };
                reassembler.add(segment, &mut diagnostics);
            }
        }
        let mut left = reassembler.finish_in_order(&mut diagnostics);
        for n in 0..3u16 {
            let start = Some(Timestamp::from_unix_nanos(i128::from(n)));
            assert_eq!(left.next_start(), Some(start));
            let stream = left.next().expect("a stream");
            assert_eq!(stream.start, start);
            let runs = &stream.directions[0].runs;
            assert_eq!(runs.len(), 2, "the waiting byte is delivered after its gap");
            assert_eq!((runs[1].gap_before, &runs[1].data[..]), (4, &b"b"[..]));
        }
        assert!(left.is_empty());
        assert_eq!(left.next_start(), None);
    }

    #[test]
    fn pending_bytes_are_bounded() {
        let limits = Limits { max_pending_bytes_per_direction: 4, ..Limits::default() };
        let segments = [segment(true, 0, b"a"), segment(true, 5, b"bbb"), segment(true, 9, b"cc")];
        let runs = client_bytes(&segments, &limits);
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[2].data, b"cc");
    }
}
