//! Files processed as they come, recorded in their order (`scan::process_all`): the walk
//! hands each file to the pool as one task the moment it finds it; a task puts its
//! outcome into a reorder buffer, and the task whose outcome is the next one due records
//! it and every outcome after it that is ready, while the other workers go on with other
//! files (docs/performance.md, "Both cores again").
//!
//! No worker waits for another: there is no chunk to finish together and no recorder to
//! wait for; only the walk waits, when `window` files are taken and not yet recorded,
//! which bounds what is held in memory (their candidates and outcomes) whatever the size
//! of the input. The order and bytes of what is recorded never depend on `--jobs`.

use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// The reorder buffer between the tasks and the one recording: items by their index.
pub struct Ordered<T, E> {
    state: Mutex<State<T, E>>,
    /// The walk waits on it for room in the window.
    room: Condvar,
    /// Set when recording failed: no further item is processed or taken.
    stopped: AtomicBool,
    /// At most this many items taken and not yet recorded.
    window: usize,
}

struct State<T, E> {
    /// Items from index `taken_out` on, `None` until their outcome is in.
    slots: VecDeque<Option<T>>,
    /// Items taken out of `slots` for recording (the index of `slots[0]`).
    taken_out: usize,
    /// Items recorded (those taken out and recorded).
    recorded: usize,
    /// Whether a task is recording (at most one is).
    recording: bool,
    /// The walk waits until `recorded` reaches this.
    awaited: Option<usize>,
    /// Why recording stopped.
    failed: Option<Failure<E>>,
}

/// Why recording stopped: its error, or a panic (which the pool's scope passes on).
enum Failure<E> {
    Error(E),
    Panicked,
}

impl<T, E> Ordered<T, E> {
    /// A buffer of at most `window` items (at least 2).
    pub fn new(window: usize) -> Self {
        Ordered {
            state: Mutex::new(State {
                slots: VecDeque::with_capacity(window.max(2)),
                taken_out: 0,
                recorded: 0,
                recording: false,
                awaited: None,
                failed: None,
            }),
            room: Condvar::new(),
            stopped: AtomicBool::new(false),
            window: window.max(2),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T, E>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until item `index` fits in the window; false when recording has stopped
    /// (nothing more is to be taken). Once full, the walk waits until a quarter of the
    /// window is free, not for each item recorded, and goes on while three quarters are
    /// still to be processed: a walk that waits long to be run again (a busy machine)
    /// leaves the workers files to go on with.
    pub fn wait_for_room(&self, index: usize) -> bool {
        let mut state = self.lock();
        if state.failed.is_none() && index >= state.recorded + self.window {
            let awaited = index + 1 + self.window / 4 - self.window;
            state.awaited = Some(awaited);
            while state.failed.is_none() && state.recorded < awaited {
                state = self
                    .room
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            state.awaited = None;
        }
        state.failed.is_none()
    }

    /// Whether recording has stopped (a task need not process its item).
    pub fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Runs a task's work on an item; a panic stops the recording (the walk would
    /// otherwise wait for an item that never comes) and goes on to the pool's scope, which
    /// passes it on when the scope ends.
    pub fn guarded<R>(&self, work: impl FnOnce() -> R) -> R {
        match panic::catch_unwind(AssertUnwindSafe(work)) {
            Ok(result) => result,
            Err(payload) => {
                self.stop(Failure::Panicked);
                panic::resume_unwind(payload)
            }
        }
    }

    /// Stops recording for `failure`: nothing more is taken or recorded.
    fn stop(&self, failure: Failure<E>) {
        let mut state = self.lock();
        state.failed.get_or_insert(failure);
        state.recording = false;
        state.slots.clear();
        self.stopped.store(true, Ordering::Relaxed);
        drop(state);
        self.room.notify_all();
    }

    /// Puts item `index` (taken after `wait_for_room(index)`) in the buffer; if it is the
    /// next one due and no task is recording, records it and every item after it that is
    /// ready, a run at a time, through `record`, until the next one due is not in.
    pub fn put(&self, index: usize, item: T, mut record: impl FnMut(Vec<T>) -> Result<(), E>) {
        let mut state = self.lock();
        if state.failed.is_some() {
            return;
        }
        let at = index - state.taken_out;
        if state.slots.len() <= at {
            state.slots.resize_with(at + 1, || None);
        }
        state.slots[at] = Some(item);
        if state.recording || !matches!(state.slots.front(), Some(Some(_))) {
            return;
        }
        state.recording = true;
        loop {
            let mut run = Vec::new();
            while let Some(Some(_)) = state.slots.front() {
                run.extend(state.slots.pop_front().flatten());
            }
            state.taken_out += run.len();
            let count = run.len();
            drop(state);
            if let Err(error) = self.guarded(|| record(run)) {
                self.stop(Failure::Error(error));
                return;
            }
            state = self.lock();
            state.recorded += count;
            if state
                .awaited
                .is_some_and(|awaited| state.recorded >= awaited)
            {
                self.room.notify_all();
            }
            if !matches!(state.slots.front(), Some(Some(_))) {
                state.recording = false;
                return;
            }
        }
    }

    /// What stopped recording, if anything did (a panic has been passed on by the scope).
    pub fn into_result(self) -> Result<(), E> {
        let state = self
            .state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        match state.failed {
            Some(Failure::Error(error)) => Err(error),
            Some(Failure::Panicked) | None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Items put from several threads in a shuffled order are recorded once each, in
    /// index order, and never more than the window is taken and not recorded.
    #[test]
    fn items_are_recorded_in_order_within_the_window() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let ordered = Ordered::<usize, ()>::new(8);
        let recorded = Mutex::new(Vec::new());
        let most_held = std::sync::atomic::AtomicUsize::new(0);
        let total = 2_000;
        pool.in_place_scope(|scope| {
            for index in 0..total {
                assert!(ordered.wait_for_room(index));
                let held = index + 1 - recorded.lock().unwrap().len();
                most_held.fetch_max(held, Ordering::Relaxed);
                let (ordered, recorded) = (&ordered, &recorded);
                scope.spawn(move |_| {
                    // Later items often finish first.
                    if index % 7 == 0 {
                        std::thread::yield_now();
                    }
                    ordered.put(index, index, |run| {
                        recorded.lock().unwrap().extend(run);
                        Ok(())
                    });
                });
            }
        });
        ordered.into_result().unwrap();
        assert_eq!(
            recorded.into_inner().unwrap(),
            (0..total).collect::<Vec<_>>()
        );
        assert!(most_held.into_inner() <= 8);
    }

    /// An error while recording stops the walk and comes back; nothing after it is
    /// recorded.
    #[test]
    fn a_recording_error_stops_the_walk() {
        let ordered = Ordered::<usize, String>::new(4);
        let mut recorded = Vec::new();
        let mut taken = 0;
        for index in 0..100 {
            if !ordered.wait_for_room(index) {
                break;
            }
            taken += 1;
            ordered.put(index, index, |run| {
                for item in run {
                    if item == 5 {
                        return Err(format!("disk full at {item}"));
                    }
                    recorded.push(item);
                }
                Ok(())
            });
        }
        assert!(ordered.stopped());
        assert_eq!(taken, 6);
        assert_eq!(recorded, [0, 1, 2, 3, 4]);
        assert_eq!(ordered.into_result().unwrap_err(), "disk full at 5");
    }

    /// Walks 1 000 items through a buffer of `window` on two workers, each task running
    /// `task`, until the buffer stops; whether a panic reached the caller, and whether the
    /// buffer said it stopped.
    fn walk_with_panics(
        window: usize,
        task: impl Fn(&Ordered<usize, ()>, usize) + Sync,
    ) -> (bool, bool) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let ordered = Ordered::<usize, ()>::new(window);
        let hook = panic::take_hook();
        panic::set_hook(Box::new(|_| {}));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            pool.in_place_scope(|scope| {
                for index in 0..1_000 {
                    if !ordered.wait_for_room(index) {
                        break;
                    }
                    let (ordered, task) = (&ordered, &task);
                    scope.spawn(move |_| task(ordered, index));
                }
            })
        }));
        panic::set_hook(hook);
        (outcome.is_err(), ordered.stopped())
    }

    /// A panic while processing an item does not leave the walk waiting for room forever:
    /// it stops, and the panic reaches the scope.
    #[test]
    fn a_panic_while_processing_stops_the_walk() {
        let (panicked, stopped) = walk_with_panics(4, |ordered, index| {
            let item = ordered.guarded(|| {
                assert_ne!(index, 0, "a bug in the reading");
                index
            });
            ordered.put(index, item, |_| Ok(()));
        });
        assert!(panicked, "the panic is passed on");
        assert!(stopped);
    }

    /// A panic while recording does not leave the walk waiting for room forever: it stops,
    /// and the panic reaches the scope.
    #[test]
    fn a_panic_while_recording_stops_the_walk() {
        let (panicked, stopped) = walk_with_panics(2, |ordered, index| {
            ordered.put(index, index, |_| panic!("a bug in the sink"))
        });
        assert!(panicked, "the panic is passed on");
        assert!(stopped);
    }
}
