//! Times the phases of loading and analysing a model (a development aid).
use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

/// The binary's allocator (mimalloc), counting live and peak heap bytes (independent of how
/// the kernel backs the pages).
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
        PEAK.fetch_max(now, Relaxed);
        mimalloc::MiMalloc.alloc(l)
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Relaxed);
        mimalloc::MiMalloc.dealloc(p, l)
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if new > l.size() {
            let now = LIVE.fetch_add(new - l.size(), Relaxed) + new - l.size();
            PEAK.fetch_max(now, Relaxed);
        } else {
            LIVE.fetch_sub(l.size() - new, Relaxed);
        }
        mimalloc::MiMalloc.realloc(p, l, new)
    }
}
#[global_allocator]
static GLOBAL: Counting = Counting;
/// Peak and current resident memory, from /proc (Linux only; "?" elsewhere).
fn rss() -> String {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |k: &str| {
        s.lines()
            .find(|l| l.starts_with(k))
            .map(|l| l[k.len()..].trim().to_string())
            .unwrap_or("?".into())
    };
    format!(
        "[heap {} MB, heap peak {} MB; rss {} peak {}]",
        LIVE.load(Relaxed) >> 20,
        PEAK.swap(LIVE.load(Relaxed), Relaxed) >> 20,
        get("VmRSS:"),
        get("VmHWM:")
    )
}
/// Runs `f` PHASES_REPEAT times (default 1) and returns the last result and the fastest time.
fn timed<T>(mut f: impl FnMut() -> T) -> (T, std::time::Duration) {
    let repeat: usize = std::env::var("PHASES_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut best = std::time::Duration::MAX;
    let mut out = None;
    for _ in 0..repeat.max(1) {
        drop(out.take());
        let t = Instant::now();
        out = Some(f());
        best = best.min(t.elapsed());
    }
    (out.unwrap(), best)
}

fn main() {
    let path = std::env::args().nth(1).expect("model path");
    if std::env::var_os("PHASES_SAMPLE").is_some() {
        let start = Instant::now();
        std::thread::spawn(move || {
            let mut last = 0;
            loop {
                let now = LIVE.load(Relaxed) >> 20;
                if now / 4 != last / 4 {
                    eprintln!("   live {now} MB at {:?}", start.elapsed());
                    last = now;
                }
                std::thread::sleep(std::time::Duration::from_micros(300));
            }
        });
    }
    let (m, took) = timed(|| {
        blastradius::load::load_model(std::path::Path::new(&path), &path)
            .unwrap()
            .model
    });
    eprintln!("load+validate {took:?} {}", rss());
    let (g, took) = timed(|| blastradius::graph::AttackGraph::build(&m));
    eprintln!("graph {took:?} {}", rss());
    let (h, took) = timed(|| blastradius::model::records::Holdings::compute(&m));
    eprintln!("holdings {took:?} {}", rss());
    let (i, took) = timed(|| blastradius::engine::tally::ExposureIndex::new(&m, &h));
    eprintln!("index {took:?} {}", rss());
    let (c, took) = timed(|| blastradius::engine::sweep::Condensation::new(&g));
    eprintln!("condensation {took:?} ({} components) {}", c.len(), rss());
    drop(c);
    if let Ok(store) = std::env::var("PHASES_QUERIES") {
        drop((g, h, i));
        queries(m, &store);
        return;
    }
    let humans: Vec<u32> = m
        .nodes_of(blastradius::model::NodeKind::Account)
        .filter(|&n| m.account_kind[n as usize] == blastradius::model::AccountKind::Human)
        .collect();
    let seeds: Vec<u32> = (0..10).map(|k| humans[k * humans.len() / 10]).collect();
    let list: Vec<u32> = std::env::var("PHASES_TRIALS")
        .map(|v| v.split(',').map(|x| x.parse().unwrap()).collect())
        .unwrap_or(vec![1000, 10_000]);
    let t = Instant::now();
    let kinds = m.kinds();
    let plan = blastradius::engine::batch_reach::BatchPlan::new(&g, kinds, &seeds, &[]);
    eprintln!(
        "batch plan {:?} ({} nodes in the sources' reach)",
        t.elapsed(),
        plan.len()
    );
    drop(plan);
    for trials in list {
        let spec = blastradius::engine::monte_carlo::SimulationSpec {
            sources: &seeds,
            entry: None,
            trials,
            seed: 12345,
            detection: None,
            edge_times: blastradius::model::Distribution::Fixed,
        };
        let t = Instant::now();
        let r = blastradius::engine::monte_carlo::simulate(
            &m,
            &g,
            &i,
            &spec,
            &blastradius::engine::NoProgress,
        );
        let secs = t.elapsed().as_secs_f64();
        eprintln!(
            "monte carlo {trials} trials {:.3}s on {} threads; {} edges examined, {:.0} M edges/s",
            secs,
            rayon::current_num_threads(),
            r.edges_examined,
            r.edges_examined as f64 / secs / 1e6
        );
        eprintln!("  after monte carlo {}", rss());
    }
    let sources: Vec<u32> = m.nodes_of(blastradius::model::NodeKind::Account).collect();
    let (rows, took) = timed(|| blastradius::engine::sweep::sweep(&m, &g, &i, &sources));
    eprintln!("sweep {took:?} ({} rows) {}", rows.len(), rss());
}

/// `PHASES_QUERIES=STORE`: the phases of who-can-reach STORE (each format written to a sink),
/// paths from the first human account to STORE, and `export graph --format csv` (rendered, not
/// written), then stop.
fn queries(model: blastradius::model::Model, store: &str) {
    let t = Instant::now();
    let a = blastradius::Analysis::new(model);
    eprintln!("analysis (graph and holdings) {:?} {}", t.elapsed(), rss());
    let (m, g) = (&a.model, &a.graph);
    let target = m
        .node_id(store)
        .expect("PHASES_QUERIES names a node of the model");
    let (r, took) = timed(|| blastradius::engine::reach::backward(g, &[target]));
    eprintln!(
        "who-can-reach backward {took:?} ({} nodes) {}",
        r.order.len(),
        rss()
    );
    let (w, took) = timed(|| blastradius::results::queries::WhoCanReach::new(m, g, target, &r));
    eprintln!("who-can-reach order {took:?} {}", rss());
    use blastradius::output::reachers;
    let mut sink = Counted(0);
    let ((), took) = timed(|| reachers::write_json(&mut sink, &w).unwrap());
    eprintln!("who-can-reach json {took:?} ({} bytes) {}", sink.0, rss());
    sink.0 = 0;
    let ((), took) = timed(|| reachers::write_table(&mut sink, &w).unwrap());
    eprintln!("who-can-reach table {took:?} ({} bytes) {}", sink.0, rss());
    sink.0 = 0;
    let ((), took) = timed(|| reachers::write_csv(&mut sink, &w).unwrap());
    eprintln!("who-can-reach csv {took:?} ({} bytes) {}", sink.0, rss());
    drop(w);
    drop(r);
    let from = m
        .nodes_of(blastradius::model::NodeKind::Account)
        .find(|&n| m.account_kind[n as usize] == blastradius::model::AccountKind::Human)
        .expect("a human account");
    let (p, took) = timed(|| blastradius::engine::paths::attack_paths(g, from, target, 10));
    eprintln!("paths {took:?} ({} paths) {}", p.len(), rss());
    let (flat, took) = timed(|| blastradius::interop::graph::flat_csv(&a));
    eprintln!(
        "export csv {took:?} ({} + {} bytes) {}",
        flat.nodes.len(),
        flat.edges.len(),
        rss()
    );
}

/// A sink that counts what it is given.
struct Counted(usize);
impl std::io::Write for Counted {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
