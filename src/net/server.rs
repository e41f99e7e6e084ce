//! A storage SCP on a TCP port: `listen`'s, and the C-MOVE destination of `pull`
//! (docs/network.md, "Slots and deadlines", "Shutdown"). One thread per connection.
//!
//! - A connection first negotiates: TLS handshake (with `--tls-cert`) and association
//!   request, within `request_timeout` as a whole; at most `max_negotiating` at once (one
//!   more cuts the oldest). Negotiating takes no association slot.
//! - Once the whole request is in, it takes one of `max_associations` slots; none free: a
//!   transient rejection, which senders retry. An association then gets `timeout` for
//!   each whole PDU (a peer that drips bytes is cut, whatever its pace).
//! - When `stop` is set the port is closed at once (a new sender is refused by the system),
//!   connections still negotiating are cut, and associations in progress get `grace` to
//!   end (a transfer under way is finished, not cut, if it ends in time).
//!
//! Every deadline is enforced by a [`Watchdog`] that the accept loop checks as it polls.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::NetOptions;
use super::acceptor::{Acceptor, Refused, Slots, Stream};
use super::archive::{Admission, Archive};
use super::association::{no_delay, storage_acceptor};
use super::deadline::{Phase, Watch, Watchdog};
use super::link::Link;
use super::log::{Event, Level, Peer};
use super::store::{self, Ending, Served, StoreCounts, StoreObserver};

/// How often the accept loop looks at the stop flag and the deadlines.
const POLL: Duration = Duration::from_millis(50);

/// The limits of a server (documented with the options in docs/network.md).
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// Associations served at once.
    pub max_associations: usize,
    /// Connections negotiating at once.
    pub max_negotiating: usize,
    /// TLS handshake and whole association request.
    pub request_timeout: Duration,
    /// What associations in progress get after the stop signal.
    pub grace: Duration,
}

/// What is served on a port.
pub struct Server<'a> {
    acceptor: Acceptor,
    tls: Option<Arc<rustls::ServerConfig>>,
    archive: &'a Archive,
    net: &'a NetOptions,
    limits: ServerLimits,
    admission: Admission,
    observer: &'a dyn StoreObserver,
    /// `listen` logs every association; the C-MOVE receiver only refusals and failures.
    log_every_association: bool,
    command: &'static str,
    totals: Mutex<StoreCounts>,
}

impl<'a> Server<'a> {
    /// A storage SCP into `archive`, from the calling AE titles of `allow` (empty: anyone),
    /// of the objects `admission` lets in, over TLS with `tls`. `command` names the log
    /// lines; with `log_every_association`, one line per association (`listen`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        archive: &'a Archive,
        net: &'a NetOptions,
        allow: &[String],
        limits: ServerLimits,
        admission: Admission,
        tls: Option<Arc<rustls::ServerConfig>>,
        observer: &'a dyn StoreObserver,
        command: &'static str,
        log_every_association: bool,
    ) -> Server<'a> {
        Server {
            acceptor: storage_acceptor(net, allow),
            tls,
            archive,
            net,
            limits,
            admission,
            observer,
            log_every_association,
            command,
            totals: Mutex::new(StoreCounts::default()),
        }
    }

    /// Accepts connections on `listener` until `stop` is set, closes it, cuts the
    /// negotiations, gives the associations their grace period, and returns the counts of
    /// every association served.
    pub fn run(&self, listener: TcpListener, stop: &AtomicBool) -> std::io::Result<StoreCounts> {
        listener.set_nonblocking(true)?;
        let watchdog = Watchdog::new();
        let slots = Slots::new(self.limits.max_associations);
        let live = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            while !stop.load(Ordering::SeqCst) {
                watchdog.check();
                let (stream, address) = match listener.accept() {
                    Ok(pair) => pair,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(POLL);
                        continue;
                    }
                    Err(e) => {
                        self.log(
                            Level::Error,
                            "error",
                            &format!("cannot accept a connection: {e}"),
                        );
                        std::thread::sleep(POLL);
                        continue;
                    }
                };
                if stream.set_nonblocking(false).is_err() {
                    continue;
                }
                if watchdog.count(Phase::Negotiating) >= self.limits.max_negotiating
                    && watchdog.cut_oldest(
                        Phase::Negotiating,
                        &format!(
                            "closed: {} connections were negotiating, a newer one came",
                            self.limits.max_negotiating
                        ),
                    )
                {
                    self.event(
                        Level::Warn,
                        "dropped",
                        Peer::at(address),
                        &format!(
                            "{address}: {} connections negotiating: the oldest is closed",
                            self.limits.max_negotiating
                        ),
                    );
                }
                let Some(watch) = watchdog.watch(
                    &stream,
                    Phase::Negotiating,
                    self.limits.request_timeout,
                    "whole association request",
                ) else {
                    continue;
                };
                live.fetch_add(1, Ordering::SeqCst);
                let (slots, live) = (&slots, &live);
                scope.spawn(move || {
                    self.serve_one(stream, address, watch, slots);
                    live.fetch_sub(1, Ordering::SeqCst);
                });
            }
            drop(listener);
            watchdog.stop(self.limits.grace);
            while live.load(Ordering::SeqCst) > 0 {
                watchdog.check();
                std::thread::sleep(POLL);
            }
        });
        Ok(*self.totals.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn serve_one(&self, stream: TcpStream, address: SocketAddr, watch: Watch, slots: &Slots) {
        no_delay(&stream);
        let _ = stream.set_read_timeout(Some(self.net.timeout));
        let _ = stream.set_write_timeout(Some(self.net.timeout));
        let Ok(tcp) = stream.try_clone() else {
            return;
        };
        let refused = |why: Refused| {
            let cut = watch.cut();
            let (calling, reason) = match why {
                Refused::Rejected { calling, reason } => (calling, reason),
                Refused::Broken(reason) => (None, reason),
            };
            let peer = match &calling {
                Some(calling) => Peer::titled(calling, address),
                None => Peer::at(address),
            };
            let who = match &peer.ae_title {
                Some(title) => format!("{title}@{address}"),
                None => address.to_string(),
            };
            let reason = cut.unwrap_or(reason);
            self.event(
                Level::Warn,
                "refused",
                peer,
                &format!("{who}: association refused: {reason}"),
            );
        };
        let stream: Box<dyn Stream> = match &self.tls {
            Some(config) => match tls_handshake(stream, config) {
                Ok(tls) => tls,
                Err(why) => return refused(Refused::Broken(why)),
            },
            None => Box::new(stream),
        };
        let (mut link, _slot) = match self.acceptor.accept(stream, tcp, slots) {
            Ok(accepted) => accepted,
            Err(why) => return refused(why),
        };
        link.renew_on_each_pdu(watch, self.net.timeout);
        let calling = link.peer_ae_title().to_string();
        let called = link.called_ae_title().to_string();
        let mut served = store::serve(&mut link, self.archive, &self.admission, self.observer);
        if let (Ending::Broken(_), Some(cut)) = (&served.ending, link.cut()) {
            served.ending = Ending::Broken(cut);
        }
        self.totals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .add(&served.counts);
        let refused = served.counts.refused > 0 || matches!(served.ending, Ending::Broken(_));
        if self.log_every_association || refused {
            let level = if refused { Level::Warn } else { Level::Info };
            Event::new(
                self.command,
                level,
                "association",
                &association_line(&calling, address, &called, &served),
            )
            .peer(Peer::titled(&calling, address))
            .counts(served.counts)
            .emit();
        }
    }

    fn event(&self, level: Level, event: &'static str, peer: Peer, message: &str) {
        Event::new(self.command, level, event, message)
            .peer(peer)
            .emit();
    }

    fn log(&self, level: Level, event: &'static str, message: &str) {
        Event::new(self.command, level, event, message).emit();
    }
}

/// The server side of a TLS handshake, completed before the association request is read
/// (within the same deadline). A plain DICOM request on a TLS port fails here.
fn tls_handshake(
    mut stream: TcpStream,
    config: &Arc<rustls::ServerConfig>,
) -> Result<Box<dyn Stream>, String> {
    let mut connection =
        rustls::ServerConnection::new(Arc::clone(config)).map_err(|e| format!("TLS: {e}"))?;
    while connection.is_handshaking() {
        match connection.complete_io(&mut stream) {
            Err(e) => return Err(format!("TLS handshake failed: {e}")),
            // No progress possible: never spin.
            Ok((0, 0)) => return Err("TLS handshake failed: it stalled".to_string()),
            Ok(_) => {}
        }
    }
    Ok(Box::new(rustls::StreamOwned::new(connection, stream)))
}

/// The log line of one association (docs/network.md, "Log"); escaped when logged.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn association_lines_say_counts_and_ending() {
        let served = Served {
            counts: StoreCounts {
                stored: 12,
                already_archived: 1,
                refused: 1,
                bytes: 2048,
            },
            echoes: 1,
            ending: Ending::Broken("closed: no whole PDU (--timeout) within 60 s".into()),
            elapsed: Duration::from_millis(840),
            first_refusal: Some("1.2.3.4.5 is not a storage SOP class".into()),
        };
        let line = association_line(
            "HOLOGIC1",
            "10.0.0.7:40312".parse().unwrap(),
            "DXA",
            &served,
        );
        assert_eq!(
            line,
            "HOLOGIC1@10.0.0.7:40312 -> DXA: 12 stored, 1 already archived, 1 refused, 2.0 KiB, \
             1 echo in 0.84 s; broken: closed: no whole PDU (--timeout) within 60 s; first \
             refusal: 1.2.3.4.5 is not a storage SOP class"
        );
        let released = Served {
            echoes: 0,
            ending: Ending::Released,
            first_refusal: None,
            ..served
        };
        let line = association_line("A", "127.0.0.1:1".parse().unwrap(), "B", &released);
        assert!(line.ends_with("in 0.84 s; released"), "{line}");
    }
}
