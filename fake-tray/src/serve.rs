//! The accept loop. Hand-written (rather than `axum::serve`) so that a handler can drop its
//! own connection without answering: the only way to show a client the unknown outcome of a
//! request that reached the server.

use std::sync::Arc;

use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Put in every request's extensions: notifying it closes the request's TCP connection at
/// once, with no answer.
#[derive(Debug, Clone)]
pub(crate) struct DropConnection(Arc<Notify>);

impl DropConnection {
    pub(crate) fn now(&self) {
        self.0.notify_one();
    }
}

pub(crate) async fn serve(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
    // Dropping the set (when the loop ends) aborts every connection still open.
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait for a connection to end.
                tracing::warn!(error = %e, "fake Tray: accept failed");
                if connections.join_next().await.is_none() {
                    tokio::task::yield_now().await;
                }
                continue;
            }
        };
        let router = router.clone();
        connections.spawn(async move {
            let drop_now = Arc::new(Notify::new());
            let handle = DropConnection(drop_now.clone());
            let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(handle.clone());
                router.clone().oneshot(request)
            });
            let connection = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                result = connection => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "fake Tray: connection ended with an error");
                    }
                }
                // Dropping `connection` here closes the socket without a response.
                () = drop_now.notified() => tracing::debug!("fake Tray: dropped a connection on purpose"),
            }
        });
        // Reap finished connections so the set does not grow without end.
        while connections.try_join_next().is_some() {}
    }
}
