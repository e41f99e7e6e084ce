//! Deadlines on connections (docs/network.md, "Limits and timeouts"). A socket's read timeout
//! bounds one read, not a request: a peer that sends one byte every 30 s never trips a 60 s
//! timeout, and would hold its connection (and a thread, and an association slot) forever.
//! So every connection is registered here with a deadline for what it must do next (its
//! whole association request, its next whole PDU, its whole operation), and
//! [`Watchdog::check`], called by whoever owns the watchdog every few tens of milliseconds,
//! shuts down the sockets whose deadline has passed: the thread blocked on it wakes up with
//! an error, and the reason it was cut is kept for its log line.
//!
//! Shutting down a clone of the socket works whatever sits on top of it (TLS included).

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// What a connection is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// TLS handshake and association request: it holds no association slot.
    Negotiating,
    /// An association (or a `pull` operation) in progress.
    Associated,
}

#[derive(Debug)]
struct Entry {
    socket: TcpStream,
    phase: Phase,
    deadline: Instant,
    /// What the deadline is for, said when the connection is cut.
    waiting_for: &'static str,
    since: Instant,
    /// Set once cut: why.
    cut: Option<String>,
    /// After a stop, deadlines are no longer extended beyond the grace period.
    latest: Option<Instant>,
}

#[derive(Debug, Default)]
struct Inner {
    entries: Mutex<HashMap<u64, Entry>>,
    next: AtomicU64,
}

/// The connections of one server (or one `pull`) and their deadlines.
#[derive(Debug, Clone, Default)]
pub struct Watchdog {
    inner: Arc<Inner>,
}

/// One registered connection; dropping it unregisters the connection.
#[derive(Debug)]
pub struct Watch {
    inner: Arc<Inner>,
    id: u64,
}

impl Watchdog {
    /// A watchdog with no connection.
    pub fn new() -> Watchdog {
        Watchdog::default()
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<u64, Entry>> {
        self.inner
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers `socket` (a clone is kept, to shut it down), which must do `waiting_for`
    /// within `limit`. None if the socket cannot be cloned (out of file descriptors).
    pub fn watch(
        &self,
        socket: &TcpStream,
        phase: Phase,
        limit: Duration,
        waiting_for: &'static str,
    ) -> Option<Watch> {
        let socket = socket.try_clone().ok()?;
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        self.entries().insert(
            id,
            Entry {
                socket,
                phase,
                deadline: now + limit,
                waiting_for,
                since: now,
                cut: None,
                latest: None,
            },
        );
        Some(Watch {
            inner: Arc::clone(&self.inner),
            id,
        })
    }

    /// Shuts down every connection past its deadline. Returns how many were cut.
    pub fn check(&self) -> usize {
        let now = Instant::now();
        let mut cut = 0;
        for entry in self.entries().values_mut() {
            if entry.cut.is_none() && now >= entry.deadline {
                let waited = entry.deadline.saturating_duration_since(entry.since);
                entry.cut = Some(format!(
                    "closed: no {} within {:.0} s",
                    entry.waiting_for,
                    waited.as_secs_f64()
                ));
                let _ = entry.socket.shutdown(Shutdown::Both);
                cut += 1;
            }
        }
        cut
    }

    /// Connections in `phase` (cut ones included until their thread ends).
    pub fn count(&self, phase: Phase) -> usize {
        self.entries()
            .values()
            .filter(|e| e.phase == phase && e.cut.is_none())
            .count()
    }

    /// Whether no connection is registered any more.
    pub fn is_empty(&self) -> bool {
        self.entries().is_empty()
    }

    /// Cuts the connection in `phase` registered first (the oldest), saying `why`. Returns
    /// whether there was one.
    pub fn cut_oldest(&self, phase: Phase, why: &str) -> bool {
        let mut entries = self.entries();
        let oldest = entries
            .iter_mut()
            .filter(|(_, e)| e.phase == phase && e.cut.is_none())
            .min_by_key(|(id, e)| (e.since, **id));
        match oldest {
            Some((_, entry)) => {
                entry.cut = Some(why.to_string());
                let _ = entry.socket.shutdown(Shutdown::Both);
                true
            }
            None => false,
        }
    }

    /// Shutdown: connections in `Negotiating` are cut at once; the others must end within
    /// `grace` (their deadlines are no longer extended past it).
    pub fn stop(&self, grace: Duration) {
        let latest = Instant::now() + grace;
        for entry in self.entries().values_mut() {
            if entry.cut.is_some() {
                continue;
            }
            match entry.phase {
                Phase::Negotiating => {
                    entry.cut = Some("closed at shutdown, still negotiating".to_string());
                    let _ = entry.socket.shutdown(Shutdown::Both);
                }
                Phase::Associated => {
                    entry.latest = Some(latest);
                    if entry.deadline > latest {
                        entry.deadline = latest;
                        entry.since = Instant::now();
                        entry.waiting_for = "end of the association after the shutdown signal";
                    }
                }
            }
        }
    }
}

impl Watch {
    fn with<T>(&self, f: impl FnOnce(&mut Entry) -> T) -> Option<T> {
        let mut entries = self
            .inner
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        entries.get_mut(&self.id).map(f)
    }

    /// A new deadline: `waiting_for` within `limit` from now, in `phase` (never past the
    /// grace period once the watchdog is stopping).
    pub fn renew(&self, phase: Phase, limit: Duration, waiting_for: &'static str) {
        self.with(|entry| {
            let now = Instant::now();
            let deadline = now + limit;
            let capped = entry.latest.is_some_and(|latest| deadline > latest);
            entry.phase = phase;
            if capped {
                entry.deadline = entry.latest.unwrap_or(deadline);
            } else {
                entry.deadline = deadline;
                entry.waiting_for = waiting_for;
                entry.since = now;
            }
        });
    }

    /// Why the connection was cut, if it was.
    pub fn cut(&self) -> Option<String> {
        self.with(|entry| entry.cut.clone()).flatten()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.inner
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn a_connection_past_its_deadline_is_cut_and_says_why() {
        let (_client, mut server) = pair();
        let dog = Watchdog::new();
        let watch = dog
            .watch(
                &server,
                Phase::Negotiating,
                Duration::ZERO,
                "association request",
            )
            .unwrap();
        assert_eq!(dog.check(), 1);
        assert_eq!(dog.check(), 0, "cut once");
        // The blocked reader wakes up: the socket is shut down.
        let mut byte = [0u8; 1];
        assert_eq!(server.read(&mut byte).unwrap_or(0), 0);
        assert_eq!(
            watch.cut().unwrap(),
            "closed: no association request within 0 s"
        );
        drop(watch);
        assert!(dog.is_empty());
    }

    #[test]
    fn renewing_moves_the_deadline_and_the_phase() {
        let (_client, server) = pair();
        let dog = Watchdog::new();
        let watch = dog
            .watch(&server, Phase::Negotiating, Duration::ZERO, "request")
            .unwrap();
        watch.renew(Phase::Associated, Duration::from_secs(600), "PDU");
        assert_eq!(dog.check(), 0);
        assert_eq!(dog.count(Phase::Negotiating), 0);
        assert_eq!(dog.count(Phase::Associated), 1);
        assert!(watch.cut().is_none());
    }

    #[test]
    fn stop_cuts_negotiations_at_once_and_caps_the_others_at_the_grace() {
        let (_a, negotiating) = pair();
        let (_b, associated) = pair();
        let dog = Watchdog::new();
        let first = dog
            .watch(
                &negotiating,
                Phase::Negotiating,
                Duration::from_secs(600),
                "request",
            )
            .unwrap();
        let second = dog
            .watch(
                &associated,
                Phase::Associated,
                Duration::from_secs(600),
                "PDU",
            )
            .unwrap();
        dog.stop(Duration::ZERO);
        assert!(first.cut().unwrap().contains("still negotiating"));
        assert!(second.cut().is_none());
        // A renewal after the stop cannot go past the grace period.
        second.renew(Phase::Associated, Duration::from_secs(600), "PDU");
        assert_eq!(dog.check(), 1);
        assert!(second.cut().unwrap().contains("after the shutdown signal"));
    }

    #[test]
    fn the_oldest_negotiation_makes_room() {
        let (_a, old) = pair();
        let (_b, new) = pair();
        let dog = Watchdog::new();
        let first = dog
            .watch(
                &old,
                Phase::Negotiating,
                Duration::from_secs(600),
                "request",
            )
            .unwrap();
        let second = dog
            .watch(
                &new,
                Phase::Negotiating,
                Duration::from_secs(600),
                "request",
            )
            .unwrap();
        assert!(dog.cut_oldest(Phase::Negotiating, "too many"));
        assert_eq!(first.cut().as_deref(), Some("too many"));
        assert!(second.cut().is_none());
        assert_eq!(dog.count(Phase::Negotiating), 1);
    }
}
