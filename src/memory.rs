//! How the `saishi` binary, whose allocator is mimalloc, trades memory for time: whether memory
//! freed during a run goes back to the system at once, or is kept for the next allocation.

use std::sync::Mutex;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`), which libmimalloc-sys does
/// not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Commands that run once touch most of their memory once or twice: zeroing a 2 MB transparent
/// huge page at each first touch (mimalloc asks for them) was a third of the CPU of a one-entry
/// rebuild of 100k entries. `serve` keeps them: it reads its searcher and indexes over and over,
/// and answered an edit ~50 ms later without. Freed memory goes back to the system at once
/// (see [`hand_back_freed`]) instead of after a second, unless kept ([`keep_freed`]): `build`
/// keeps it while it reads the site and saves the entry cache, and from then on only if the site
/// is small.
pub fn for_one_run() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE sets a flag of this process and touches no memory of ours; if
    // it fails, huge pages stay on, which is only slower.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    set_purge_delay(0);
}

/// Memory freed from here on goes back to the system at once, and so does memory kept until now
/// ([`keep_freed`]): the pages are made anew, batch after batch, but do not pile up. A clean
/// build of 100k entries peaks at ~272 MB instead of ~375, for ~15 % more time on a tmpfs (the
/// kernel zeroes each batch's pages anew). After 1 ms instead of at once it took ~5 % less time,
/// but on a slow disk some builds peaked at 331–364 MB.
pub fn hand_back_freed() {
    // What was kept so far goes back first: mimalloc forces out only memory due to go back some
    // time, and with no delay it looks for none (collected after the delay was set to 0, none
    // went and 100k entries over 2,800 counties peaked at 294–299 MB on the disk).
    hand_back_kept();
    set_purge_delay(0);
}

/// Memory kept until now ([`keep_freed`]) goes back to the system, from the heap of each thread
/// that may hold some; what is freed from here on is kept as before.
pub fn hand_back_kept() {
    // SAFETY: mimalloc's collect only returns memory no allocation uses.
    let collect = || unsafe { libmimalloc_sys::mi_collect(true) };
    rayon::broadcast(|_| collect());
    collect();
}

/// Memory freed from here on is kept for the next allocation, not handed back within the hour:
/// the kernel then need not zero it again. For `serve`, which builds lists and `entries.json`
/// anew at every edit and drops the last ones (kept, an edit of a 10,000-entry site was served in
/// ~35 ms instead of ~50), for a build of a small site ([`crate::Site::is_small`]): a clean build
/// of 10,000 entries took 0.40 s instead of 0.43 (on a tmpfs; peak 80 MB instead of 54), and
/// while `build` reads a site of any size and saves its entry cache: the YAML parsers' memory is
/// taken again by the next file's, and a clean build took 3–4 % less CPU, at 10,000 entries as
/// at 100,000; keeping it through the save too, 100,000 took 5–6 % less time again (+5 MB at
/// the peak).
pub fn keep_freed() {
    // An hour, not "never" (-1): memory freed then is not due to go back at all, and
    // [`hand_back_freed`] could not take it back either.
    set_purge_delay(KEPT_FOR_MS);
}

/// How long [`keep_freed`] keeps freed memory: longer than any build.
const KEPT_FOR_MS: std::ffi::c_long = 60 * 60 * 1000;

fn set_purge_delay(milliseconds: std::ffi::c_long) {
    // SAFETY: sets one of mimalloc's options; a delay only keeps memory longer, and 0 ("at
    // once") hands it back sooner.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, milliseconds);
    }
}

/// Buffers whose bytes were written out, kept for the next pages to be rendered into: with freed
/// memory handed back at once ([`hand_back_freed`]), every page went into memory the kernel had
/// to fault in and zero anew, and freeing it was a system call soon after. With them, a clean
/// build of 100,000 entries faulted in a quarter fewer pages and took ~5 % less time. No more
/// are kept than two of `build`'s batches of entry pages use, and none over 64 KB (a county's
/// list is megabytes), so the peak does not grow.
pub static PAGE_BUFFERS: Buffers = Buffers::new(512, 64 << 10);

/// Byte buffers kept for reuse, up to a number and a size.
pub struct Buffers {
    kept: Mutex<Vec<Vec<u8>>>,
    most: usize,
    largest: usize,
}

impl Buffers {
    /// Keeps at most `most` buffers, each of at most `largest` bytes of room.
    pub const fn new(most: usize, largest: usize) -> Buffers {
        Buffers {
            kept: Mutex::new(Vec::new()),
            most,
            largest,
        }
    }

    /// An empty buffer with room for at least `room` bytes: a kept one, if there is any.
    pub fn take(&self, room: usize) -> Vec<u8> {
        let kept = self.kept.lock().ok().and_then(|mut kept| kept.pop());
        let mut buffer = kept.unwrap_or_default();
        buffer.reserve(room);
        buffer
    }

    /// Keeps `buffers` for [`Buffers::take`], as many as fit; the rest are freed.
    pub fn keep(&self, buffers: impl Iterator<Item = Vec<u8>>) {
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        for mut buffer in buffers {
            if kept.len() == self.most {
                break;
            }
            if buffer.capacity() <= self.largest {
                buffer.clear();
                kept.push(buffer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purge_delay() -> std::ffi::c_long {
        // SAFETY: reads an option.
        unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
    }

    #[test]
    fn one_run_hands_freed_memory_back_unless_told_to_keep_it() {
        // Its default (1000 ms in mimalloc 3) is no other option's: the number is the right one.
        assert_eq!(purge_delay(), 1000);
        for_one_run();
        assert_eq!(purge_delay(), 0);
        keep_freed();
        assert_eq!(purge_delay(), KEPT_FOR_MS);
        // Kept memory goes back on demand, and what is freed later is still kept.
        let size = 64 << 20;
        let resident = || {
            let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
            let pages: usize = statm
                .split(' ')
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            pages * 4096
        };
        // SAFETY: a block of mimalloc's own, written within its size and freed once.
        unsafe {
            let block = libmimalloc_sys::mi_malloc(size).cast::<u8>();
            assert!(!block.is_null());
            std::ptr::write_bytes(block, 1, size);
            libmimalloc_sys::mi_free(block.cast());
        }
        let kept = resident();
        hand_back_kept();
        let handed_back = kept.saturating_sub(resident());
        assert!(handed_back > size / 2, "{handed_back} bytes handed back");
        assert_eq!(purge_delay(), KEPT_FOR_MS);
        hand_back_freed();
        assert_eq!(purge_delay(), 0);
    }

    #[test]
    fn buffers_are_kept_emptied_up_to_a_number_and_a_size() {
        let buffers = Buffers::new(2, 1000);
        buffers.keep(
            [
                b"page".to_vec(),
                Vec::with_capacity(2000),
                Vec::with_capacity(500),
            ]
            .into_iter(),
        );
        // The one too large was freed, and the two others kept, emptied.
        let taken = [buffers.take(10), buffers.take(10)];
        assert!(taken.iter().all(Vec::is_empty));
        let mut rooms: Vec<usize> = taken.iter().map(Vec::capacity).collect();
        rooms.sort_unstable();
        assert!(
            rooms[0] >= 10 && rooms[0] < 500 && (500..1000).contains(&rooms[1]),
            "{rooms:?}"
        );
        // None is left: a new one, with the room asked for.
        assert!(buffers.take(3000).capacity() >= 3000);
        // No more than two are kept.
        buffers.keep((0..5).map(|_| Vec::with_capacity(100)));
        let left = std::iter::from_fn(|| Some(buffers.take(0)))
            .take(4)
            .filter(|b| b.capacity() >= 100)
            .count();
        assert_eq!(left, 2);
    }
}
