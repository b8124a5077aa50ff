//! One listening socket of the relay: accepts connections (with TLS when configured) and serves
//! HTTP/1.1 on each with hyper, within explicit limits:
//!
//! - at most `max_connections` open at once. At the limit, the connection that has waited
//!   longest without a request being handled (an idle keep-alive, or a slowloris client dribbling
//!   its head) is closed to make room; when every connection is busy, the newcomer is refused
//!   with 503. So slow clients cannot lock out a device that speaks promptly.
//! - a request head must arrive within `idle_timeout` of the connection being ready for it
//!   (hyper's header read timeout, which also bounds an idle keep-alive), and may not exceed
//!   `max_header_bytes` (431);
//! - a request body may not pause longer than `body_timeout` between two reads;
//! - a TLS handshake must finish within `idle_timeout`.
//!
//! Each request carries `ConnectInfo<SocketAddr>` (the peer) and [`LocalAddr`] as extensions.
//! Shutdown: the `shutdown` token stops accepting and asks every connection to finish its
//! request; whatever is still open after the caller's deadline is dropped.

use super::events::EventBus;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

/// The address of this listener that a request came in on (for the Host check).
#[derive(Debug, Clone, Copy)]
pub struct LocalAddr(pub SocketAddr);

/// Whether the request came over TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Secure(pub bool);

#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub idle_timeout: Duration,
    pub body_timeout: Duration,
    pub max_header_bytes: usize,
}

pub struct Listener {
    /// What this listener is for, in messages: `app and API`, `ACS`.
    pub name: &'static str,
    pub tcp: TcpListener,
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    pub limits: ConnectionLimits,
}

impl Listener {
    /// Accepts and serves until `shutdown`, then gives open connections `deadline` to finish.
    pub async fn run(
        self,
        router: Router,
        events: EventBus,
        shutdown: CancellationToken,
        deadline: Duration,
    ) {
        let connections = Arc::new(Connections::new(self.limits.max_connections));
        let mut tasks = JoinSet::new();
        let mut refusals = Throttled::default();
        let mut accept_errors = Throttled::default();
        loop {
            let accepted = tokio::select! {
                accepted = self.tcp.accept() => accepted,
                () = shutdown.cancelled() => break,
            };
            // Reap finished connection tasks so the set does not grow with the relay's uptime.
            while tasks.try_join_next().is_some() {}
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: wait for connections to close
                    // rather than spin, and say so.
                    if let Some(count) = accept_errors.tick() {
                        events.notice(
                            "limit-descriptors",
                            &format!(
                                "{} listener cannot accept ({error}); {count} time(s) since the last notice",
                                self.name
                            ),
                        );
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let Some(connection) = connections.admit() else {
                if let Some(count) = refusals.tick() {
                    events.notice(
                        "limit-connections",
                        &format!(
                            "{} listener: {} connections open, all busy (--max-connections); refused {count} connection(s), the last from {peer}",
                            self.name, self.limits.max_connections
                        ),
                    );
                }
                let plain = self.tls.is_none();
                tasks.spawn(refuse(stream, plain, self.limits.max_connections));
                continue;
            };
            let local = stream.local_addr().unwrap_or(peer);
            let job = Job {
                router: router.clone(),
                limits: self.limits,
                peer,
                local,
                connection,
                connections: Arc::clone(&connections),
                shutdown: shutdown.clone(),
            };
            let tls = self.tls.clone();
            tasks.spawn(async move {
                let _ = stream.set_nodelay(true);
                match tls {
                    None => job.serve(stream, false).await,
                    Some(acceptor) => {
                        let handshake =
                            tokio::time::timeout(job.limits.idle_timeout, acceptor.accept(stream));
                        let stream = tokio::select! {
                            done = handshake => match done {
                                Ok(Ok(stream)) => stream,
                                // A failed or slow handshake is the client's problem; the
                                // connection simply closes.
                                _ => return job.release(),
                            },
                            () = job.connection.close.cancelled() => return job.release(),
                        };
                        job.serve(stream, true).await;
                    }
                }
            });
        }
        drop(self.tcp);
        let finished =
            tokio::time::timeout(deadline, async { while tasks.join_next().await.is_some() {} })
                .await;
        if finished.is_err() {
            let open = tasks.len();
            tasks.shutdown().await;
            events.notice(
                "shutdown-deadline",
                &format!(
                    "{} listener: {open} connection(s) still open after {} s, closed",
                    self.name,
                    deadline.as_secs()
                ),
            );
        }
    }
}

/// Answers a connection over the limit: 503 with the reason on plain HTTP, a closed socket on
/// TLS (a refusal in clear text would be a handshake error to the client anyway).
async fn refuse(mut stream: TcpStream, plain: bool, max: usize) {
    if plain {
        let reason = format!(
            "the relay has {max} connections open, all busy (--max-connections); try again\n"
        );
        let response = format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{reason}",
            reason.len()
        );
        // Then the client's request is read and dropped until it closes: closed with the request
        // unread, the socket would be reset, and the client could lose the 503 unread.
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            stream.write_all(response.as_bytes()).await?;
            stream.shutdown().await?;
            let mut unread = [0u8; 4096];
            while stream.read(&mut unread).await? > 0 {}
            Ok::<_, std::io::Error>(())
        })
        .await;
    }
}

/// Everything one connection's task needs.
struct Job {
    router: Router,
    limits: ConnectionLimits,
    peer: SocketAddr,
    local: SocketAddr,
    connection: Arc<Connection>,
    connections: Arc<Connections>,
    shutdown: CancellationToken,
}

impl Job {
    fn release(&self) {
        self.connections.release(self.connection.id);
    }

    async fn serve<S>(self, stream: S, secure: bool)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let router = self.router.clone();
        let connection = Arc::clone(&self.connection);
        let (peer, local, body_timeout) = (self.peer, self.local, self.limits.body_timeout);
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            let router = router.clone();
            let busy = Busy::start(Arc::clone(&connection));
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(LocalAddr(local));
            request.extensions_mut().insert(Secure(secure));
            let request = request
                .map(|body| Body::new(tower_http::timeout::TimeoutBody::new(body_timeout, body)));
            async move {
                let response = router.oneshot(request).await?;
                // The connection counts as busy until the response body is done (or dropped):
                // an event stream is busy for as long as it runs.
                Ok::<_, std::convert::Infallible>(
                    response.map(|body| Body::new(Guarded { body, busy })),
                )
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.idle_timeout)
            .max_header_size(self.limits.max_header_bytes)
            // The read buffer bounds a head that never completes; hyper wants at least 8 KiB.
            .max_buf_size(self.limits.max_header_bytes.max(64 * 1024));
        let served = builder.serve_connection(TokioIo::new(stream), service);
        tokio::pin!(served);
        tokio::select! {
            _ = served.as_mut() => {}
            // Evicted to make room: dropped at once.
            () = self.connection.close.cancelled() => {}
            () = self.shutdown.cancelled() => {
                served.as_mut().graceful_shutdown();
                tokio::select! {
                    _ = served.as_mut() => {}
                    () = self.connection.close.cancelled() => {}
                }
            }
        }
        self.release();
    }
}

/// A response body that marks its connection idle again when it ends or is dropped.
struct Guarded {
    body: Body,
    #[allow(dead_code)] // reason: held for its Drop
    busy: Busy,
}

impl http_body::Body for Guarded {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// One request in progress on a connection.
struct Busy(Arc<Connection>);

impl Busy {
    fn start(connection: Arc<Connection>) -> Busy {
        connection.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(connection)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.idle_since.store(self.0.clock.elapsed_millis(), Ordering::Release);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Milliseconds since the listener started: a cheap monotonic stamp for "idle since".
#[derive(Clone, Copy)]
struct Clock(Instant);

impl Clock {
    fn elapsed_millis(self) -> u64 {
        u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

struct Connection {
    id: u64,
    clock: Clock,
    in_flight: AtomicUsize,
    /// When its last request ended, or when it was accepted.
    idle_since: AtomicU64,
    close: CancellationToken,
}

/// The open connections of one listener.
struct Connections {
    open: Mutex<HashMap<u64, Arc<Connection>>>,
    next_id: AtomicU64,
    max: usize,
    clock: Clock,
}

impl Connections {
    fn new(max: usize) -> Connections {
        Connections {
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            max: max.max(1),
            clock: Clock(Instant::now()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Connection>>> {
        // The map is consistent after every statement, so a poisoned lock is still usable.
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A slot for a new connection, evicting the longest-idle one at the limit; `None` when
    /// every open connection is handling a request.
    fn admit(&self) -> Option<Arc<Connection>> {
        let mut open = self.lock();
        if open.len() >= self.max {
            let idlest = open
                .values()
                .filter(|c| c.in_flight.load(Ordering::Acquire) == 0)
                .min_by_key(|c| c.idle_since.load(Ordering::Acquire))
                .map(|c| c.id)?;
            if let Some(evicted) = open.remove(&idlest) {
                evicted.close.cancel();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let connection = Arc::new(Connection {
            id,
            clock: self.clock,
            in_flight: AtomicUsize::new(0),
            idle_since: AtomicU64::new(self.clock.elapsed_millis()),
            close: CancellationToken::new(),
        });
        open.insert(id, Arc::clone(&connection));
        Some(connection)
    }

    fn release(&self, id: u64) {
        self.lock().remove(&id);
    }
}

/// Counts repeated occurrences and says when to report them: at most once every 10 s.
#[derive(Default)]
struct Throttled {
    last: Option<Instant>,
    count: u64,
}

impl Throttled {
    /// Counts one; returns the count since the last report when it is time for another.
    fn tick(&mut self) -> Option<u64> {
        self.count += 1;
        let due = self.last.is_none_or(|last| last.elapsed() >= Duration::from_secs(10));
        if !due {
            return None;
        }
        self.last = Some(Instant::now());
        Some(std::mem::take(&mut self.count))
    }
}
