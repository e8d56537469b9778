//! The hub's accept loop: axum's router behind connection caps and timeouts, so that idle,
//! half-open or dribbling connections from one machine cannot starve the phones.
//! (`axum::serve` has neither a cap nor a header timeout.)

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::Semaphore;
use tower_service::Service;

/// How much of the hub one connection, and one address, may hold.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Open connections at once, from everyone (below the usual 1,024 open files).
    pub max_connections: usize,
    /// Open connections at once from one address (a phone needs one or two).
    pub max_per_address: usize,
    /// A request's headers must arrive within this (also: the longest a connection may
    /// sit idle between requests).
    pub header_timeout: Duration,
    /// A request body may pause this long between pieces (a 2G link stalls, but not
    /// for this long) ...
    pub body_idle_timeout: Duration,
    /// ... and one connection lives at most this long.
    pub max_connection_time: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 512,
            max_per_address: 32,
            header_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(20),
            max_connection_time: Duration::from_secs(15 * 60),
        }
    }
}

/// The remote address of the request's connection (an extension on every request).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

/// How the request's connection reached the hub (an extension on every request): an
/// enrollment is checked against the hub as the phone met it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Tls,
    PlainHttp,
}

/// One address's share of the connections; returned when the connection ends.
struct AddressSlot {
    counts: Arc<Mutex<HashMap<IpAddr, usize>>>,
    ip: IpAddr,
}

impl AddressSlot {
    fn take(counts: &Arc<Mutex<HashMap<IpAddr, usize>>>, ip: IpAddr, max: usize) -> Option<AddressSlot> {
        let mut map = counts.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            counts: counts.clone(),
            ip,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut map = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, within `limits`: over TLS with
/// `tls`, else plain HTTP.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ConnectionLimits,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = Arc::new(Mutex::new(HashMap::new()));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // At the cap, stop accepting: new connections wait in the kernel's queue.
        let permit = tokio::select! {
            p = open.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            _ = &mut shutdown => return Ok(()),
        };
        let (stream, remote): (_, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors or a reset before accept: wait a little, go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => return Ok(()),
        };
        let Some(slot) = AddressSlot::take(&per_address, remote.ip(), limits.max_per_address) else {
            drop(stream); // this address holds its share already
            continue;
        };
        let app = app.clone();
        let ip = remote.ip();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let (_permit, _slot) = (permit, slot);
            match acceptor {
                // The handshake gets the headers' time: a stranger who connects and says
                // nothing holds a slot no longer than a slow client would.
                Some(acceptor) => {
                    if let Ok(Ok(stream)) =
                        tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await
                    {
                        serve_connection(stream, app, ip, Link::Tls, limits).await;
                    }
                }
                None => serve_connection(stream, app, ip, Link::PlainHttp, limits).await,
            }
        });
    }
}

/// HTTP/1 on one accepted connection, within its time limits.
async fn serve_connection<S>(stream: S, app: Router, ip: IpAddr, link: Link, limits: ConnectionLimits)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ClientAddr(ip));
        req.extensions_mut().insert(link);
        let mut app = app.clone();
        async move { app.call(req.map(Body::new)).await }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(limits.max_connection_time, connection).await;
}
