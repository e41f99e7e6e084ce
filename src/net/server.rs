//! A storage SCP on a TCP port: `listen`'s, and the C-MOVE destination of `pull`. One thread
//! per association, at most `max_associations` at once: one more is refused with a transient
//! rejection (PS3.8 9.3.4: "local limit exceeded"), which senders retry. When `stop` is set
//! the port is closed at once (no new association), and `run` returns when every association
//! in flight has ended: a transfer under way is finished, not cut.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use dicom_ul::association::Association;
use dicom_ul::association::server::DefaultNegotiation;
use dicom_ul::pdu::{
    AssociationRJ, AssociationRJResult, AssociationRJServiceProviderPresentationReason,
    AssociationRJSource, MAXIMUM_PDU_SIZE, Pdu,
};
use dicom_ul::{ServerAssociationOptions, read_pdu, write_pdu};

use super::NetOptions;
use super::archive::Archive;
use super::association::{AllowList, no_delay, storage_scp_options};
use super::store::{self, Ending, Served, StoreCounts, StoreObserver};

/// How often the accept loop looks at the stop flag.
const POLL: Duration = Duration::from_millis(50);

/// What is served on a port.
pub struct Server<'a> {
    options: ServerAssociationOptions<'static, AllowList, DefaultNegotiation>,
    archive: &'a Archive,
    net: &'a NetOptions,
    max_associations: usize,
    observer: &'a dyn StoreObserver,
    log_prefix: Option<&'static str>,
    totals: Mutex<StoreCounts>,
}

impl<'a> Server<'a> {
    /// A storage SCP into `archive`. With `log_prefix`, one line per association on stderr
    /// (`listen`); without, only refusals and failures are reported.
    pub fn new(
        archive: &'a Archive,
        net: &'a NetOptions,
        allow: &[String],
        max_associations: usize,
        observer: &'a dyn StoreObserver,
        log_prefix: Option<&'static str>,
    ) -> Server<'a> {
        Server {
            options: storage_scp_options(net, allow),
            archive,
            net,
            max_associations: max_associations.max(1),
            observer,
            log_prefix,
            totals: Mutex::new(StoreCounts::default()),
        }
    }

    /// Accepts associations on `listener` until `stop` is set, closes it (a sender that
    /// connects then is refused by the system, not left waiting), then waits for the
    /// associations in flight. Returns the counts of every association served.
    pub fn run(&self, listener: TcpListener, stop: &AtomicBool) -> std::io::Result<StoreCounts> {
        listener.set_nonblocking(true)?;
        let active = AtomicUsize::new(0);
        let refusing = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            while !stop.load(Ordering::SeqCst) {
                let (stream, address) = match listener.accept() {
                    Ok(pair) => pair,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(POLL);
                        continue;
                    }
                    Err(e) => {
                        eprintln!("dxa-ingest: cannot accept a connection: {e}");
                        std::thread::sleep(POLL);
                        continue;
                    }
                };
                if stream.set_nonblocking(false).is_err() {
                    continue;
                }
                if active.fetch_add(1, Ordering::SeqCst) >= self.max_associations {
                    active.fetch_sub(1, Ordering::SeqCst);
                    // Refusals are bounded too: beyond as many again, a connection is
                    // closed at once (a flood must not cost a thread per connection).
                    if refusing.fetch_add(1, Ordering::SeqCst) < self.max_associations {
                        let (timeout, refusing) = (self.net.timeout, &refusing);
                        scope.spawn(move || {
                            refuse_busy(stream, timeout);
                            refusing.fetch_sub(1, Ordering::SeqCst);
                        });
                    } else {
                        refusing.fetch_sub(1, Ordering::SeqCst);
                        drop(stream);
                    }
                    self.log(&format!(
                        "{address}: refused: {} associations already in progress",
                        self.max_associations
                    ));
                    continue;
                }
                let active = &active;
                scope.spawn(move || {
                    self.serve_one(stream, address);
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
            drop(listener);
        });
        Ok(*self.totals.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn serve_one(&self, stream: TcpStream, address: SocketAddr) {
        no_delay(&stream);
        let association = match self.options.establish(stream) {
            Ok(association) => association,
            Err(error) => {
                // Refusals (--allow) are always reported: someone is knocking.
                eprintln!(
                    "dxa-ingest: {}{address}: association refused: {}",
                    self.log_prefix.unwrap_or(""),
                    describe_refusal(&error)
                );
                return;
            }
        };
        let calling = association.peer_ae_title().trim().to_string();
        let called = association.called_ae_title().trim().to_string();
        let served = store::serve(association, self.archive, self.observer);
        self.totals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .add(&served.counts);
        let refused = served.counts.refused > 0 || matches!(served.ending, Ending::Broken(_));
        if self.log_prefix.is_some() || refused {
            eprintln!(
                "dxa-ingest: {}{}",
                self.log_prefix.unwrap_or(""),
                association_line(&calling, address, &called, &served)
            );
        }
    }

    fn log(&self, line: &str) {
        eprintln!("dxa-ingest: {}{line}", self.log_prefix.unwrap_or(""));
    }
}

/// The log line of one association (docs/network.md, "Log").
pub fn association_line(
    calling: &str,
    address: SocketAddr,
    called: &str,
    served: &Served,
) -> String {
    let counts = &served.counts;
    let mut line = format!(
        "{calling}@{address} -> {called}: {} stored, {} already archived, {} refused, {:.1} KiB",
        counts.stored,
        counts.already_archived,
        counts.refused,
        counts.bytes as f64 / 1024.0
    );
    if served.echoes > 0 {
        line.push_str(&format!(", {} echo", served.echoes));
    }
    line.push_str(&format!(" in {:.2} s; ", served.elapsed.as_secs_f64()));
    match &served.ending {
        Ending::Released => line.push_str("released"),
        Ending::Aborted => {
            line.push_str("aborted by the sender (an object in transfer was dropped)")
        }
        Ending::Broken(why) => line.push_str(&format!("broken: {why}")),
    }
    if let Some(first) = &served.first_refusal {
        line.push_str(&format!("; first refusal: {first}"));
    }
    line
}

fn describe_refusal(error: &dicom_ul::association::Error) -> String {
    match error {
        dicom_ul::association::Error::Rejected { association_rj, .. } => {
            format!("{} (--allow)", association_rj.source)
        }
        other => crate::sr::error_chain(other),
    }
}

/// Answers an association request with a transient rejection (too many associations):
/// the request is read first, so that the sender reads the rejection, not a reset.
fn refuse_busy(mut stream: TcpStream, timeout: Duration) {
    let _ = stream.set_read_timeout(Some(timeout.min(Duration::from_secs(10))));
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match read_pdu(&received[..], MAXIMUM_PDU_SIZE, false) {
            Ok(Some(_)) => break,
            Ok(None) => {}
            Err(_) => return,
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
        }
        if received.len() > 1 << 20 {
            return;
        }
    }
    let rejection = Pdu::AssociationRJ(AssociationRJ {
        result: AssociationRJResult::Transient,
        source: AssociationRJSource::ServiceProviderPresentation(
            AssociationRJServiceProviderPresentationReason::LocalLimitExceeded,
        ),
    });
    let mut bytes = Vec::new();
    if write_pdu(&mut bytes, &rejection).is_ok() {
        let _ = stream.write_all(&bytes);
    }
}
