//! Server benchmarks, run against a release server that `scripts/bench`
//! starts on a fresh database (demo data loaded):
//!
//! - `ingest`: tablets push sign-ins with signatures through `/api/sync`,
//!   and the same rows go into `records` with a plain `COPY` (our limit);
//! - `load`: 500 kiosks push 20 sign-ins each while 50 librarians pull;
//! - `pull`: a new device pulls 50,000 records;
//! - `pages`: requests per second for the meeting list page (SSR).
//!
//! `cargo bench -p server --bench server -- [ingest|load|pull|pages]...`
//! with `BENCH_URL` (the server), `DATABASE_URL` (its database) and, for
//! memory, `BENCH_SERVER_PID`. Each table row is printed and, when
//! `BENCH_ROWS` names a file, appended to it. Nothing here asserts a time.

use app::{
    accounts::session::{new_token, token_hash},
    attendance::signature::sample_signature,
};
use serde_json::{Value, json};
use server::demo::{ACCOUNTS, ZALESIE, ZALESIE_PARTNERSHIP};
use sqlx::{PgPool, postgres::PgPoolOptions};
use std::{
    io::Write,
    time::{Duration, Instant},
};
use tokio::task::JoinSet;
use uuid::Uuid;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[derive(Clone)]
struct Bench {
    base: String,
    pool: PgPool,
    http: reqwest::Client,
    /// Three strokes of a handwritten name, as the kiosk stores them.
    signature: Value,
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    // `cargo bench` adds `--bench`; the rest names the benchmarks.
    let wanted: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let all = ["ingest", "load", "pull", "pages"];
    for name in &wanted {
        if !all.contains(&name.as_str()) {
            return Err(format!("unknown benchmark {name}; known: {}", all.join(", ")).into());
        }
    }
    let runs = |name: &str| wanted.is_empty() || wanted.iter().any(|w| w == name);
    let bench = Bench::connect().await?;
    if runs("ingest") {
        bench.ingest().await?;
    }
    if runs("load") {
        bench.load().await?;
    }
    if runs("pull") {
        bench.pull().await?;
    }
    if runs("pages") {
        bench.pages().await?;
    }
    Ok(())
}

/// One row of the results table.
fn row(benchmark: &str, measure: &str, value: String) {
    let line = format!("| {benchmark} | {measure} | {value} |");
    println!("{line}");
    if let Ok(path) = std::env::var("BENCH_ROWS") {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| writeln!(file, "{line}"));
        if let Err(error) = appended {
            eprintln!("cannot append to {path}: {error}");
        }
    }
}

/// Thousands separated by a thin space, as figures are written in Polish.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(digit);
    }
    out
}

fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// The `q`-quantile of sorted latencies.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn latencies(benchmark: &str, what: &str, mut times: Vec<Duration>) {
    times.sort();
    row(
        benchmark,
        &format!("{what} p50 / p99"),
        format!(
            "{} / {}",
            millis(quantile(&times, 0.5)),
            millis(quantile(&times, 0.99))
        ),
    );
}

/// What every task of a set measured: request times, and what failed.
async fn gather(
    mut tasks: JoinSet<(Vec<Duration>, usize)>,
) -> Result<(Vec<Duration>, usize), Failure> {
    let (mut times, mut failed) = (Vec::new(), 0);
    while let Some(done) = tasks.join_next().await {
        let (t, f) = done?;
        times.extend(t);
        failed += f;
    }
    Ok((times, failed))
}

/// Peak and current resident memory of the server, from /proc.
fn server_memory() -> Option<(u64, u64)> {
    let pid = std::env::var("BENCH_SERVER_PID").ok()?;
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid.trim())).ok()?;
    let kilobytes = |key: &str| {
        status
            .lines()
            .find(|line| line.starts_with(key))?
            .split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
    };
    Some((kilobytes("VmHWM:")?, kilobytes("VmRSS:")?))
}

fn mutation(meeting: Uuid, signature: &Value, n: usize) -> Value {
    json!({
        "id": Uuid::new_v4(),
        "seq": n,
        "entity": "sign_in",
        "record_id": Uuid::new_v4(),
        "op": "upsert",
        "base_rev": null,
        "data": sign_in(meeting, signature, n),
        "client_time": app::clock::instant(),
    })
}

fn sign_in(meeting: Uuid, signature: &Value, n: usize) -> Value {
    json!({
        "meeting_id": meeting,
        "full_name": format!("Katarzyna Wiśniewska-Nowak {n}"),
        "organization": "Stowarzyszenie Przyjaciół Ziemi Zaleskiej",
        "function": "przewodnicząca zarządu",
        "clause_version": 1, "clause_ack": true, "image_consent": true,
        "signed_at": app::clock::instant_in(-1, 0),
        "signature": signature,
    })
}

/// What one request to `/api/sync` gave.
struct Answer {
    took: Duration,
    /// Mutations not applied, or the whole request when it failed.
    failed: usize,
    body: Value,
    bytes: usize,
}

impl Bench {
    async fn connect() -> Result<Self, Failure> {
        let base = std::env::var("BENCH_URL").unwrap_or_else(|_| "http://127.0.0.1:3100".into());
        let url = std::env::var("DATABASE_URL").map_err(|_| "DATABASE_URL is not set")?;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect(&url)
            .await?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(Self {
            base,
            pool,
            http,
            signature: sample_signature().to_value(),
        })
    }

    /// `count` held meetings of the Zalesie partnership, stored directly.
    async fn meetings(&self, count: usize) -> Result<Vec<Uuid>, Failure> {
        let ids: Vec<Uuid> = (0..count).map(|_| Uuid::new_v4()).collect();
        let data: Vec<Value> = (0..count)
            .map(|n| {
                json!({
                    "partnership_id": ZALESIE_PARTNERSHIP, "kind": "working", "status": "held",
                    "title": format!("Spotkanie partnerów {n}"),
                    "starts_at": app::clock::instant_in(-1, -2), "ends_at": app::clock::instant_in(-1, 0),
                })
            })
            .collect();
        self.insert_records("meeting", ZALESIE, &ids, &data).await?;
        Ok(ids)
    }

    /// Records of one entity and library, straight into the table.
    async fn insert_records(
        &self,
        entity: &str,
        library: Uuid,
        ids: &[Uuid],
        data: &[Value],
    ) -> Result<(), Failure> {
        sqlx::query(
            "insert into records (entity, id, library_id, rev, deleted, data)
             select $1, id, $4, nextval('revisions'), false, data
             from unnest($2::uuid[], $3::jsonb[]) as r(id, data)",
        )
        .bind(entity)
        .bind(ids)
        .bind(data)
        .bind(library)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A live kiosk token for each meeting given, made by Zalesie's librarian.
    async fn kiosk_tokens(&self, meetings: &[Uuid]) -> Result<Vec<String>, Failure> {
        let tokens: Vec<String> = meetings.iter().map(|_| new_token()).collect();
        let hashes: Vec<Vec<u8>> = tokens.iter().map(|t| token_hash(t)).collect();
        let ids: Vec<Uuid> = meetings.iter().map(|_| Uuid::new_v4()).collect();
        sqlx::query(
            "insert into kiosk_tokens (id, token_hash, meeting_id, library_id, created_by, expires_at)
             select id, hash, meeting, $4, $5, now() + interval '1 day'
             from unnest($1::uuid[], $2::bytea[], $3::uuid[]) as k(id, hash, meeting)",
        )
        .bind(&ids)
        .bind(&hashes)
        .bind(meetings)
        .bind(ZALESIE)
        .bind(ACCOUNTS[2].id)
        .execute(&self.pool)
        .await?;
        Ok(tokens)
    }

    /// `count` librarians of `library`, each signed in: their session cookies.
    async fn librarians(&self, library: Uuid, count: usize) -> Result<Vec<String>, Failure> {
        let run = Uuid::new_v4().simple().to_string();
        let ids: Vec<Uuid> = (0..count).map(|_| Uuid::new_v4()).collect();
        let emails: Vec<String> = (0..count)
            .map(|n| format!("bench-{}-{n}@bench.local", &run[..8]))
            .collect();
        let tokens: Vec<String> = (0..count).map(|_| new_token()).collect();
        let hashes: Vec<Vec<u8>> = tokens.iter().map(|t| token_hash(t)).collect();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "insert into users (id, email, full_name)
             select id, email, 'Bibliotekarka ' || email from unnest($1::uuid[], $2::text[]) as u(id, email)",
        )
        .bind(&ids)
        .bind(&emails)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "insert into library_memberships (user_id, library_id, role)
             select id, $2, 'librarian' from unnest($1::uuid[]) as u(id)",
        )
        .bind(&ids)
        .bind(library)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "insert into sessions (token_hash, user_id, expires_at)
             select hash, id, now() + interval '1 day' from unnest($1::bytea[], $2::uuid[]) as s(hash, id)",
        )
        .bind(&hashes)
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(tokens
            .into_iter()
            .map(|t| format!("partnerstwa_session={t}"))
            .collect())
    }

    /// One `/api/sync` request, with a kiosk token or a session cookie.
    async fn sync(&self, auth: &Auth<'_>, body: &Value) -> Answer {
        let started = Instant::now();
        let mut request = self
            .http
            .post(format!("{}/api/sync", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        request = match auth {
            Auth::Kiosk(token) => request.bearer_auth(token),
            Auth::Session(cookie) => request.header("cookie", *cookie),
        };
        let sent = body["mutations"].as_array().map_or(0, Vec::len).max(1);
        let reply = match request.send().await {
            Ok(reply) if reply.status().is_success() => reply.bytes().await.ok(),
            Ok(reply) => {
                eprintln!("sync answered {}", reply.status());
                None
            }
            Err(error) => {
                eprintln!("sync failed: {error}");
                None
            }
        };
        let took = started.elapsed();
        let Some(bytes) = reply else {
            return Answer {
                took,
                failed: sent,
                body: Value::Null,
                bytes: 0,
            };
        };
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let failed = body["results"].as_array().map_or(sent, |results| {
            results
                .iter()
                .filter(|r| r["status"] != "applied" || r["replayed"] == true)
                .count()
        });
        Answer {
            took,
            failed: if body.is_null() { sent } else { failed },
            body,
            bytes: bytes.len(),
        }
    }

    /// Sign-ins per second through the sync endpoint, against a plain COPY.
    async fn ingest(&self) -> Result<(), Failure> {
        const TABLETS: usize = 8;
        const BATCH: usize = 250;
        const BATCHES: usize = 10;
        let total = TABLETS * BATCH * BATCHES;
        eprintln!("ingest: {TABLETS} tablets push {total} sign-ins in batches of {BATCH}");
        let meetings = self.meetings(TABLETS).await?;
        let tokens = self.kiosk_tokens(&meetings).await?;
        let started = Instant::now();
        let mut tablets = JoinSet::new();
        for (meeting, token) in meetings.iter().copied().zip(tokens) {
            let bench = self.clone();
            tablets.spawn(async move {
                let device = Uuid::new_v4();
                let mut times = Vec::new();
                let mut failed = 0;
                for batch in 0..BATCHES {
                    let mutations: Vec<Value> = (0..BATCH)
                        .map(|n| mutation(meeting, &bench.signature, batch * BATCH + n))
                        .collect();
                    let body = json!({
                        "device_id": device, "cursor": 0, "pull_limit": 0, "mutations": mutations,
                    });
                    let answer = bench.sync(&Auth::Kiosk(&token), &body).await;
                    times.push(answer.took);
                    failed += answer.failed;
                }
                (times, failed)
            });
        }
        let (times, failed) = gather(tablets).await?;
        let pushed = started.elapsed();
        let push_rate = total as f64 / pushed.as_secs_f64();
        row(
            "ingest",
            &format!("{TABLETS} tablets × {BATCHES} batches of {BATCH}: sign-ins/s"),
            grouped(push_rate as u64),
        );
        latencies("ingest", &format!("request of {BATCH}"), times);
        row("ingest", "sign-ins not applied", grouped(failed as u64));

        // The same rows, with new ids, straight into the table.
        let revisions: Vec<i64> =
            sqlx::query_scalar("select nextval('revisions') from generate_series(1, $1)")
                .bind(total as i64)
                .fetch_all(&self.pool)
                .await?;
        let mut csv = String::new();
        for (n, rev) in revisions.iter().enumerate() {
            let data = sign_in(meetings[n % TABLETS], &self.signature, n).to_string();
            csv.push_str(&format!(
                "sign_in,{},{},{rev},f,\"{}\"\n",
                Uuid::new_v4(),
                ZALESIE,
                data.replace('"', "\"\"")
            ));
        }
        let mut conn = self.pool.acquire().await?;
        let started = Instant::now();
        let mut copy = conn
            .copy_in_raw(
                "copy records (entity, id, library_id, rev, deleted, data) from stdin (format csv)",
            )
            .await?;
        copy.send(csv.as_bytes()).await?;
        copy.finish().await?;
        let copied = started.elapsed();
        let copy_rate = total as f64 / copied.as_secs_f64();
        row(
            "ingest",
            "plain COPY of the same rows: rows/s",
            grouped(copy_rate as u64),
        );
        row(
            "ingest",
            "sync ingest as a share of COPY",
            format!("{:.0}%", push_rate / copy_rate * 100.0),
        );
        Ok(())
    }

    /// Kiosks and librarians at once: errors, latencies and server memory.
    async fn load(&self) -> Result<(), Failure> {
        const KIOSKS: usize = 500;
        const SIGN_INS: usize = 20;
        const LIBRARIANS: usize = 50;
        eprintln!(
            "load: {KIOSKS} kiosks × {SIGN_INS} sign-ins, one per request, and {LIBRARIANS} librarians pulling what is new"
        );
        let meetings = self.meetings(KIOSKS / 5).await?;
        let kiosk_meetings: Vec<Uuid> = (0..KIOSKS).map(|k| meetings[k % meetings.len()]).collect();
        let tokens = self.kiosk_tokens(&kiosk_meetings).await?;
        let cookies = self.librarians(ZALESIE, LIBRARIANS).await?;
        // Where the librarians' devices stand when the meeting starts: read
        // before any kiosk sends, so every sign-in comes after it.
        let from: i64 = sqlx::query_scalar("select coalesce(max(rev), 0) from records")
            .fetch_one(&self.pool)
            .await?;
        let started = Instant::now();
        let mut kiosks = JoinSet::new();
        for (meeting, token) in kiosk_meetings.into_iter().zip(tokens) {
            let bench = self.clone();
            kiosks.spawn(async move {
                let device = Uuid::new_v4();
                let mut times = Vec::new();
                let mut failed = 0;
                for n in 0..SIGN_INS {
                    let body = json!({
                        "device_id": device, "cursor": 0, "pull_limit": 0,
                        "mutations": [mutation(meeting, &bench.signature, n)],
                    });
                    let answer = bench.sync(&Auth::Kiosk(&token), &body).await;
                    times.push(answer.took);
                    failed += answer.failed;
                }
                (times, failed)
            });
        }
        // Librarians' devices pull what is new every half second (the app
        // does every 30 s), until one pull after the last kiosk is done. Each
        // counts the sign-ins it received: a cursor that skipped a late
        // commit would miss some.
        let finished = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut librarians = JoinSet::new();
        for cookie in cookies {
            let (bench, finished) = (self.clone(), finished.clone());
            librarians.spawn(async move {
                let device = Uuid::new_v4();
                let (mut times, mut failed, mut cursor) = (Vec::new(), 0, from);
                let mut seen = std::collections::HashSet::new();
                loop {
                    // Read before pulling: a pull begun after the kiosks
                    // finished sees all they stored.
                    let last = finished.load(std::sync::atomic::Ordering::SeqCst);
                    loop {
                        let body = json!({
                            "device_id": device, "cursor": cursor, "pull_limit": 500, "mutations": [],
                        });
                        let answer = bench.sync(&Auth::Session(&cookie), &body).await;
                        times.push(answer.took);
                        if answer.body.is_null() {
                            failed += 1;
                            break;
                        }
                        for change in answer.body["changes"].as_array().into_iter().flatten() {
                            if change["entity"] == "sign_in" {
                                seen.insert(change["record_id"].as_str().unwrap_or_default().to_owned());
                            }
                        }
                        cursor = answer.body["cursor"].as_i64().unwrap_or(cursor);
                        if answer.body["more"] != true {
                            break;
                        }
                    }
                    if last {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                (times, failed, seen.len())
            });
        }
        let (push_times, push_failed) = gather(kiosks).await?;
        let kiosks_done = started.elapsed();
        finished.store(true, std::sync::atomic::Ordering::SeqCst);
        // What the librarians should have: every sign-in of these meetings
        // the database holds after the starting cursor.
        let stored: i64 = sqlx::query_scalar(
            "select count(*) from records
             where entity = 'sign_in' and library_id = $1 and rev > $2
               and (data->>'meeting_id')::uuid = any($3)",
        )
        .bind(ZALESIE)
        .bind(from)
        .bind(&meetings)
        .fetch_one(&self.pool)
        .await?;
        let stored = usize::try_from(stored).unwrap_or_default();
        let (mut pull_times, mut pull_failed, mut complete) = (Vec::new(), 0, 0);
        let mut fewest = usize::MAX;
        while let Some(done) = librarians.join_next().await {
            let (times, failed, seen) = done?;
            pull_times.extend(times);
            pull_failed += failed;
            complete += usize::from(seen == stored);
            fewest = fewest.min(seen);
        }
        let pushes = push_times.len();
        let pulls = pull_times.len();
        row(
            "load",
            &format!("{KIOSKS} kiosks × {SIGN_INS} sign-ins: all stored in"),
            format!("{:.1} s", kiosks_done.as_secs_f64()),
        );
        latencies(
            "load",
            &format!("kiosk push ({pushes} requests)"),
            push_times,
        );
        latencies(
            "load",
            &format!("librarian pull ({pulls} requests)"),
            pull_times,
        );
        row(
            "load",
            "errors (pushes not applied + pulls failed)",
            format!("{push_failed} + {pull_failed}"),
        );
        row(
            "load",
            "librarians who received every sign-in",
            format!("{complete} of {LIBRARIANS}"),
        );
        row(
            "load",
            "sign-ins stored / received by the librarian who got fewest",
            format!("{stored} / {fewest}"),
        );
        match server_memory() {
            Some((peak, now)) => row(
                "load",
                "server memory: peak / after (RSS)",
                format!("{} MB / {} MB", peak / 1024, now / 1024),
            ),
            None => row(
                "load",
                "server memory",
                "not measured (no BENCH_SERVER_PID)".into(),
            ),
        }
        Ok(())
    }

    /// A new device of a library with 50,000 records pulls them all.
    async fn pull(&self) -> Result<(), Failure> {
        const RECORDS: usize = 50_000;
        const PAGE: u32 = 500;
        eprintln!("pull: a new device pulls {RECORDS} records, {PAGE} per request");
        let library = Uuid::new_v4();
        sqlx::query(
            "insert into libraries (id, name, municipality, voivodeship) values ($1, $2, 'Zalesie', 'mazowieckie')",
        )
        .bind(library)
        .bind(format!("Biblioteka pomiarowa {}", &library.simple().to_string()[..6]))
        .execute(&self.pool)
        .await?;
        let meeting = Uuid::new_v4();
        let data: Vec<Value> = (0..RECORDS)
            .map(|n| sign_in(meeting, &self.signature, n))
            .collect();
        let ids: Vec<Uuid> = (0..RECORDS).map(|_| Uuid::new_v4()).collect();
        self.insert_records("sign_in", library, &ids, &data).await?;
        let cookie = self
            .librarians(library, 1)
            .await?
            .pop()
            .ok_or("no librarian")?;
        let device = Uuid::new_v4();
        let started = Instant::now();
        let (mut cursor, mut records, mut bytes, mut cursors) = (0i64, 0usize, 0usize, vec![0i64]);
        loop {
            let body = json!({ "device_id": device, "cursor": cursor, "pull_limit": PAGE, "mutations": [] });
            let answer = self.sync(&Auth::Session(&cookie), &body).await;
            if answer.body.is_null() {
                return Err("a pull failed".into());
            }
            records += answer.body["changes"].as_array().map_or(0, Vec::len);
            bytes += answer.bytes;
            cursor = answer.body["cursor"].as_i64().ok_or("no cursor")?;
            if answer.body["more"] != true {
                break;
            }
            cursors.push(cursor);
        }
        let took = started.elapsed();
        row(
            "pull",
            &format!(
                "{} records in {} requests",
                grouped(records as u64),
                cursors.len()
            ),
            format!("{:.1} s", took.as_secs_f64()),
        );
        row(
            "pull",
            "JSON received",
            format!("{:.1} MB", bytes as f64 / 1_000_000.0),
        );
        // The same pages as the browser gets them, compressed.
        let mut compressed = 0usize;
        for cursor in cursors {
            let body = json!({ "device_id": device, "cursor": cursor, "pull_limit": PAGE, "mutations": [] });
            let reply = self
                .http
                .post(format!("{}/api/sync", self.base))
                .header("content-type", "application/json")
                .header("accept-encoding", "br")
                .header("cookie", &cookie)
                .body(body.to_string())
                .send()
                .await?
                .bytes()
                .await?;
            compressed += reply.len();
        }
        row(
            "pull",
            "bytes over the wire (brotli)",
            format!("{:.1} MB", compressed as f64 / 1_000_000.0),
        );
        Ok(())
    }

    /// The meeting list page rendered on the server, many at once.
    async fn pages(&self) -> Result<(), Failure> {
        const CONNECTIONS: usize = 16;
        const SECONDS: u64 = 10;
        eprintln!("pages: GET /spotkania over {CONNECTIONS} connections for {SECONDS} s");
        let cookie = self
            .librarians(ZALESIE, 1)
            .await?
            .pop()
            .ok_or("no librarian")?;
        let until = Instant::now() + Duration::from_secs(SECONDS);
        let started = Instant::now();
        let mut clients = JoinSet::new();
        for _ in 0..CONNECTIONS {
            let bench = self.clone();
            let cookie = cookie.clone();
            clients.spawn(async move {
                let mut times = Vec::new();
                let mut failed = 0;
                while Instant::now() < until {
                    let begun = Instant::now();
                    let ok = match bench
                        .http
                        .get(format!("{}/spotkania", bench.base))
                        .header("cookie", &cookie)
                        .send()
                        .await
                    {
                        Ok(reply) if reply.status().is_success() => reply.bytes().await.is_ok(),
                        _ => false,
                    };
                    times.push(begun.elapsed());
                    failed += usize::from(!ok);
                }
                (times, failed)
            });
        }
        let (times, failed) = gather(clients).await?;
        let rate = times.len() as f64 / started.elapsed().as_secs_f64();
        row(
            "pages",
            &format!("GET /spotkania, {CONNECTIONS} connections: requests/s"),
            grouped(rate as u64),
        );
        latencies("pages", "response", times);
        row("pages", "failed requests", grouped(failed as u64));
        Ok(())
    }
}

enum Auth<'a> {
    Kiosk(&'a str),
    Session(&'a str),
}
