//! `pgtls exporter`'s HTTP server: Prometheus' multi-target pattern over
//! [`pgtls::run::exporter::probe`]. Probes run on blocking threads, at most `max_in_flight` at
//! once; `/metrics` is the exporter's own health.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use pgtls::conninfo::SystemEnv;
use pgtls::run::exporter::{probe, ExporterConfig};
use pgtls::run::RunError;

use hyper::body::Incoming;
use hyper::header;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

/// Prometheus' scrape timeout for this request (`X-Prometheus-Scrape-Timeout-Seconds`), else
/// its default of 10 s.
fn scrape_timeout(headers: &hyper::HeaderMap) -> f64 {
    headers
        .get("x-prometheus-scrape-timeout-seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|t| t.is_finite() && *t > 0.0)
        .unwrap_or(10.0)
}

/// How long a probe may wait for a slot: the scrape's deadline, less half a second of margin
/// and the module's per-step timeout (a probe usually takes a small part of it), never less
/// than nothing.
fn slot_wait(scrape_timeout: f64, step_timeout: f64) -> std::time::Duration {
    std::time::Duration::from_secs_f64((scrape_timeout - 0.5 - step_timeout.clamp(0.1, 120.0)).max(0.0))
}

#[derive(Default)]
struct Stats {
    probes: AtomicU64,
    errors: AtomicU64,
    rejected: AtomicU64,
    in_flight: AtomicU64,
}

struct State {
    config: ExporterConfig,
    permits: tokio::sync::Semaphore,
    stats: Stats,
}

/// One answer: status, and a plain-text body (Prometheus' text format for 200).
fn answer(status: StatusCode, body: String) -> Response<String> {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let kind = if status == StatusCode::OK { TEXT } else { "text/plain; charset=utf-8" };
    r.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static(kind));
    r
}

const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `/probe?target=HOST:PORT&module=NAME`: one probe, run on a blocking thread once a slot is free.
async fn probe_answer(st: Arc<State>, req: &Request<Incoming>) -> Response<String> {
    let q: BTreeMap<String, String> = form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()).into_owned().collect();
    let Some(target) = q.get("target").cloned() else {
        return answer(StatusCode::BAD_REQUEST, "missing ?target=HOST:PORT\n".into());
    };
    let module_name = q.get("module").cloned().unwrap_or_else(|| "default".into());
    let Some(module) = st.config.module(&module_name) else {
        return answer(StatusCode::BAD_REQUEST, format!("unknown module {module_name:?}\n"));
    };
    // Wait for a slot as long as the probe can still finish within the scrape's own
    // deadline; refuse (and count) only what cannot.
    let wait = slot_wait(scrape_timeout(req.headers()), module.timeout.unwrap_or(5.0));
    let permit = match tokio::time::timeout(wait, st.permits.acquire()).await {
        Ok(Ok(p)) => p,
        _ => {
            st.stats.rejected.fetch_add(1, Ordering::Relaxed);
            return answer(StatusCode::SERVICE_UNAVAILABLE, "no probe slot free before the scrape's deadline\n".into());
        }
    };
    st.stats.probes.fetch_add(1, Ordering::Relaxed);
    st.stats.in_flight.fetch_add(1, Ordering::Relaxed);
    let result = tokio::task::spawn_blocking(move || probe(&target, &module, &SystemEnv)).await;
    st.stats.in_flight.fetch_sub(1, Ordering::Relaxed);
    drop(permit);
    match result {
        Ok(Ok(text)) => answer(StatusCode::OK, text),
        Ok(Err(e)) => {
            st.stats.errors.fetch_add(1, Ordering::Relaxed);
            answer(StatusCode::BAD_REQUEST, format!("{e}\n"))
        }
        Err(_) => {
            st.stats.errors.fetch_add(1, Ordering::Relaxed);
            answer(StatusCode::INTERNAL_SERVER_ERROR, "the probe failed\n".into())
        }
    }
}

/// `/metrics`: the exporter's own counters.
fn metrics_answer(st: &State) -> Response<String> {
    let s = &st.stats;
    let mut out = String::new();
    for (name, help, v) in [
        ("pgtls_exporter_probes_total", "Probes served", s.probes.load(Ordering::Relaxed)),
        ("pgtls_exporter_probe_errors_total", "Probes that could not run (bad target or module)", s.errors.load(Ordering::Relaxed)),
        ("pgtls_exporter_probes_rejected_total", "Probes refused because no slot (max_in_flight) came free before the scrape's deadline", s.rejected.load(Ordering::Relaxed)),
    ] {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
    }
    let _ = writeln!(out, "# HELP pgtls_exporter_probes_in_flight Probes running now\n# TYPE pgtls_exporter_probes_in_flight gauge\npgtls_exporter_probes_in_flight {}", s.in_flight.load(Ordering::Relaxed));
    let _ = writeln!(out, "# HELP pgtls_exporter_build_info pgtls version\n# TYPE pgtls_exporter_build_info gauge\npgtls_exporter_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
    answer(StatusCode::OK, out)
}

/// Route one request: GET (or HEAD) on `/probe`, `/metrics` or `/`; anything else is 404/405.
async fn route(st: Arc<State>, req: Request<Incoming>) -> Response<String> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return answer(StatusCode::METHOD_NOT_ALLOWED, "only GET\n".into());
    }
    match req.uri().path() {
        "/probe" => probe_answer(st, &req).await,
        "/metrics" => metrics_answer(&st),
        "/" => answer(StatusCode::OK, "pgtls exporter: /probe?target=HOST:PORT&module=NAME, /metrics\n".into()),
        _ => answer(StatusCode::NOT_FOUND, "not found: /probe?target=HOST:PORT&module=NAME, /metrics\n".into()),
    }
}

/// Serve until the process is stopped (Ctrl-C or SIGINT). `listen` is `ADDR:PORT`. HTTP/1.1
/// on hyper directly: three routes need no router.
pub fn serve(listen: &str, config: ExporterConfig, max_in_flight: usize, ready: Option<&dyn Fn(std::net::SocketAddr)>) -> Result<(), RunError> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| RunError::Failed { what: "starting the exporter", error: e.to_string() })?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await.map_err(|source| RunError::Io { what: "listening on", path: listen.into(), source })?;
        let addr = listener.local_addr().map_err(|source| RunError::Io { what: "listening on", path: listen.into(), source })?;
        if let Some(f) = ready {
            f(addr);
        }
        let state = Arc::new(State { config, permits: tokio::sync::Semaphore::new(max_in_flight.max(1)), stats: Stats::default() });
        let stop = tokio::signal::ctrl_c();
        tokio::pin!(stop);
        loop {
            let stream = tokio::select! {
                _ = &mut stop => return Ok(()),
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    // A refused or reset connection (or a full file table) is that client's
                    // problem, not the exporter's: keep serving the others.
                    Err(_) => continue,
                },
            };
            let st = state.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let st = st.clone();
                    async move { Ok::<_, std::convert::Infallible>(route(st, req).await) }
                });
                // A client that hangs up mid-request ends only its own connection.
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_within_the_scrape_deadline() {
        let mut h = hyper::HeaderMap::new();
        assert_eq!(scrape_timeout(&h), 10.0);
        h.insert("x-prometheus-scrape-timeout-seconds", "9.5".parse().unwrap());
        assert_eq!(scrape_timeout(&h), 9.5);
        h.insert("x-prometheus-scrape-timeout-seconds", "nonsense".parse().unwrap());
        assert_eq!(scrape_timeout(&h), 10.0);
        assert_eq!(slot_wait(10.0, 5.0), std::time::Duration::from_secs_f64(4.5));
        assert_eq!(slot_wait(3.0, 5.0), std::time::Duration::ZERO);
    }
}
