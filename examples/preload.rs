//! Preloads a Redis store with many registered clients through the store code, for the
//! scale stage of the benchmark (bench/run.sh): records are built exactly as registration
//! builds them (`register::prepare`), on every core, and written with pipelined
//! `SET NX` batches (`RedisStore::create_many`).
//!
//! It also writes a sample of `registration_client_uri registration_access_token` lines,
//! spread evenly over the preloaded clients, for the wrk scripts (bench/*.lua) to use.
//!
//! ```text
//! cargo build --release --example preload
//! target/release/examples/preload redis://127.0.0.1:6379 registrar: 1000000 "$KEY" clients.txt \
//!     --sample 20000 --issuer http://127.0.0.1:8080
//! ```

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;
use serde_json::{Map, Value};

use registrar::credentials::seal::Sealer;
use registrar::domain::endpoints::REGISTRATION_PATH;
use registrar::domain::metadata::{ClientMetadata, RegistrationPolicy};
use registrar::service::client_info::to_raw;
use registrar::service::register::{prepare, Origin};
use registrar::store::redis::{RedisConfig, Timeouts};
use registrar::store::topology::RedisTopology;

/// The body bench/register.lua posts, so preloaded records match registered ones.
const DEFAULT_METADATA: &str =
    r#"{"redirect_uris":["https://rp.example/cb"],"client_name":"bench"}"#;
/// `registrar serve`'s default `--scopes`.
const DEFAULT_SCOPES: &str = "openid profile email address phone offline_access";

#[derive(Debug, Parser)]
#[command(name = "preload", about = "Preload a Registrar Redis store (benchmark)")]
struct Args {
    /// Redis URL, e.g. redis://127.0.0.1:6379
    redis_url: String,
    /// Key prefix, as `registrar serve --redis-prefix` (default there: `registrar:`).
    prefix: String,
    /// How many clients to store.
    count: usize,
    /// The server's `--secret-key` (client secrets are sealed with it).
    secret_key: String,
    /// Where to write the sample of `uri token` lines.
    output: std::path::PathBuf,
    /// How many `uri token` lines to write, spread evenly over the clients.
    #[arg(long, default_value_t = 20_000)]
    sample: usize,
    /// Base of registration_client_uri (the server's issuer); wrk only uses the path.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    issuer: String,
    /// Records per pipelined batch.
    #[arg(long, default_value_t = 2_000)]
    batch: usize,
    /// Threads building records. Default: one per CPU core.
    #[arg(long)]
    threads: Option<usize>,
    /// Metadata document every client registers with.
    #[arg(long, default_value = DEFAULT_METADATA)]
    metadata: String,
}

/// One pipelined write, and the sample lines of the clients in it.
struct Batch {
    records: Vec<(String, i64, Vec<u8>)>,
    sample: Vec<String>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let policy = RegistrationPolicy {
        allow_native_https_redirects: false,
        http_documents: false,
        scopes_supported: DEFAULT_SCOPES.split_whitespace().map(str::to_owned).collect(),
    };
    let body: Map<String, Value> = serde_json::from_str(&args.metadata)?;
    let metadata = ClientMetadata::parse(&body, &policy)?;
    let metadata_json = to_raw(&metadata.to_json())?;
    let sealer = Sealer::from_keys(&args.secret_key, &[])?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let batch_size = args.batch.max(1);
    // Every `stride`-th client goes into the sample, so it spans the whole store.
    let stride = args.count.checked_div(args.sample).map_or(usize::MAX, |s| s.max(1));
    let sample_line =
        |index: usize| args.sample > 0 && index % stride == 0 && index / stride < args.sample;

    let started = Instant::now();
    let next_batch = AtomicUsize::new(0);
    // Bounded: producers wait while Redis catches up, so memory stays flat.
    let (tx, rx) = mpsc::sync_channel::<Result<Batch, String>>(threads * 2);
    let mut out = BufWriter::new(File::create(&args.output)?);
    let (stored, bytes) = std::thread::scope(|scope| -> Result<(usize, usize), Box<dyn Error>> {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next_batch, sealer, metadata, metadata_json) =
                (&next_batch, &sealer, &metadata, &metadata_json);
            let (issuer, count) = (&args.issuer, args.count);
            scope.spawn(move || loop {
                let start = next_batch.fetch_add(1, Ordering::Relaxed) * batch_size;
                if start >= count {
                    return;
                }
                let end = (start + batch_size).min(count);
                let mut batch = Batch { records: Vec::with_capacity(end - start), sample: vec![] };
                for index in start..end {
                    let new = match prepare(sealer, now, metadata, metadata_json, Origin::default())
                    {
                        Ok(new) => new,
                        Err(e) => {
                            let _ = tx.send(Err(e.to_string()));
                            return;
                        }
                    };
                    if sample_line(index) {
                        batch.sample.push(format!(
                            "{issuer}{REGISTRATION_PATH}/{} {}",
                            new.record.client_id,
                            new.token.expose()
                        ));
                    }
                    batch.records.push((new.record.client_id, new.record.issued_at, new.bytes));
                }
                if tx.send(Ok(batch)).is_err() {
                    return; // the writer failed and hung up
                }
            });
        }
        drop(tx);

        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(async {
            let timeouts =
                Timeouts { connect: Duration::from_secs(5), response: Duration::from_secs(60) };
            let topology = RedisTopology::parse(&args.redis_url)?;
            let store = RedisConfig::new(&topology, &args.prefix, timeouts)?.connect_lazy()?;
            let (mut stored, mut bytes, mut reported) = (0usize, 0usize, 0usize);
            // Blocking on the channel between awaits is fine: nothing else runs here.
            for batch in rx {
                let batch = batch?;
                store.create_many(&batch.records).await?;
                stored += batch.records.len();
                bytes += batch.records.iter().map(|(_, _, b)| b.len()).sum::<usize>();
                for line in &batch.sample {
                    writeln!(out, "{line}")?;
                }
                if stored * 10 / args.count.max(1) > reported {
                    reported = stored * 10 / args.count.max(1);
                    eprintln!("preload: {stored} clients, {:.1}s", started.elapsed().as_secs_f64());
                }
            }
            Ok((stored, bytes))
        })
    })?;
    out.flush()?;
    let seconds = started.elapsed().as_secs_f64();
    // One line the benchmark script parses.
    println!(
        "preloaded count={stored} seconds={seconds:.2} per_second={:.0} record_bytes={}",
        stored as f64 / seconds.max(1e-9),
        bytes / stored.max(1)
    );
    if stored != args.count {
        return Err(format!("stored {stored} of {} clients", args.count).into());
    }
    Ok(())
}
