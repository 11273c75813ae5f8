//! Faults on loopback: a local AgentCore that can be restarted on the same address, and the
//! local AgentCore's own fault injection driven through its admin path (`/_local/faults`).
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use agentcore_console::emulator;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A local AgentCore that keeps its address across restarts, as a real one would.
pub struct Restartable {
    pub url: String,
    dir: PathBuf,
    addr: SocketAddr,
    running: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl Restartable {
    pub async fn start(dir: &Path) -> Self {
        let listener = emulator::bind("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut r = Self {
            url: format!("http://{addr}"),
            dir: dir.to_path_buf(),
            addr,
            running: None,
        };
        r.serve(listener);
        r
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let (tx, rx) = oneshot::channel();
        let mut opts = emulator::Options::new(&self.dir);
        opts.settle_delay = std::time::Duration::from_millis(50);
        let task = tokio::spawn(async move {
            emulator::serve(listener, opts, async {
                let _ = rx.await;
            })
            .await
            .expect("serve");
        });
        self.running = Some((tx, task));
    }

    pub async fn stop(&mut self) {
        if let Some((tx, task)) = self.running.take() {
            let _ = tx.send(());
            task.await.expect("server task");
        }
    }

    /// Stop, then serve the same state dir on the same address.
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = emulator::bind(self.addr)
            .await
            .expect("rebind the same port");
        self.serve(listener);
    }
}

/// Add a fault at run time through the admin path; its id.
pub async fn add(url: &str, spec: &str) -> u64 {
    let body = serde_json::json!({ "spec": spec }).to_string();
    let (status, text) = admin(url, "POST", &body).await;
    assert_eq!(status, 201, "{spec}: {text}");
    text["id"].as_u64().expect("id")
}

/// Remove every fault.
pub async fn clear(url: &str) {
    let (status, text) = admin(url, "DELETE", "").await;
    assert_eq!(status, 200, "{text}");
}

/// (matched, applied) of the fault with this spec, as the local AgentCore counted them.
pub async fn counts(url: &str, spec: &str) -> (u64, u64) {
    let (_, v) = admin(url, "GET", "").await;
    let want = spec
        .parse::<emulator::FaultSpec>()
        .expect("spec")
        .to_string();
    let f = v["faults"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["spec"] == want.as_str()))
        .unwrap_or_else(|| panic!("no fault {want} in {v}"));
    (
        f["matched"].as_u64().expect("matched"),
        f["applied"].as_u64().expect("applied"),
    )
}

async fn admin(url: &str, method: &str, body: &str) -> (u16, serde_json::Value) {
    let (status, resp) = super::emulator::raw(url, method, "/_local/faults", &[], body).await;
    let json = resp.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    (status, serde_json::from_str(json).unwrap_or_default())
}
