//! Long listings (a row per reacher of a store most of a million people reach, gigabytes in
//! all) rendered on every thread and written in order: rows are cut into blocks, a wave of
//! blocks is rendered in parallel while the wave before it is written, so at most two waves
//! are ever held. The bytes are those of rendering the rows one after the other.

use std::io::{self, Write};
use std::ops::Range;

use rayon::prelude::*;

/// Rows in one block, for listings whose rows run to a few kilobytes at most.
pub const ROWS_PER_BLOCK: usize = 512;

/// Blocks rendered per wave and thread: enough to keep every thread busy while one waits.
const BLOCKS_PER_THREAD: usize = 4;

/// Writes rows `0..count` into `w`: `render(rows, out)` appends the text of a range of rows
/// (a block of at most `block` of them) to `out`; the blocks are rendered on the rayon threads
/// and written in row order. A write error stops the listing (the wave being rendered is
/// finished and dropped).
pub fn write_in_order(
    w: &mut dyn Write,
    count: usize,
    block: usize,
    render: impl Fn(Range<usize>, &mut Vec<u8>) + Sync,
) -> io::Result<()> {
    let block = block.max(1);
    let wave = block * BLOCKS_PER_THREAD * rayon::current_num_threads();
    // Renders a wave's blocks into the buffers given (kept from two waves before, so a large
    // listing does not ask for fresh memory, and page faults, for each wave).
    let render_wave = |rows: Range<usize>, mut buffers: Vec<Vec<u8>>| -> Vec<Vec<u8>> {
        let blocks: Vec<Range<usize>> = rows
            .clone()
            .step_by(block)
            .map(|start| start..(start + block).min(rows.end))
            .collect();
        buffers.resize_with(blocks.len(), Vec::new);
        buffers.par_iter_mut().zip(blocks).for_each(|(out, range)| {
            out.clear();
            render(range, out);
        });
        buffers
    };
    let (mut written, mut spare): (Vec<Vec<u8>>, Vec<Vec<u8>>) = (Vec::new(), Vec::new());
    let mut start = 0;
    while start < count {
        let rows = start..(start + wave).min(count);
        start = rows.end;
        let buffers = std::mem::take(&mut spare);
        // The next wave renders on the pool while this thread writes the one before it.
        let (wrote, next) = std::thread::scope(|scope| {
            let next = scope.spawn(|| render_wave(rows, buffers));
            let wrote = write_blocks(w, &written);
            let next = next.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            (wrote, next)
        });
        wrote?;
        spare = std::mem::replace(&mut written, next);
    }
    write_blocks(w, &written)
}

fn write_blocks(w: &mut dyn Write, blocks: &[Vec<u8>]) -> io::Result<()> {
    blocks.iter().try_for_each(|b| w.write_all(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row's text names it, so any loss, repeat or swap shows.
    fn listing(count: usize, block: usize) -> String {
        let mut out = Vec::new();
        write_in_order(&mut out, count, block, |rows, buf| {
            for i in rows {
                writeln!(buf, "row {i}").unwrap();
            }
        })
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rows_come_out_in_order_whatever_the_block() {
        for count in [0, 1, 2, 7, 100, 1000] {
            let expected: String = (0..count).map(|i| format!("row {i}\n")).collect();
            for block in [0, 1, 3, 64, 5000] {
                assert_eq!(
                    listing(count, block),
                    expected,
                    "{count} rows, block {block}"
                );
            }
        }
    }

    #[test]
    fn a_failing_writer_stops_the_listing() {
        struct Full(usize);
        impl Write for Full {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                if self.0 < b.len() {
                    return Err(io::Error::other("disk full"));
                }
                self.0 -= b.len();
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut w = Full(100);
        let e = write_in_order(&mut w, 100_000, 4, |rows, buf| {
            for i in rows {
                writeln!(buf, "row {i}").unwrap();
            }
        });
        assert_eq!(e.unwrap_err().to_string(), "disk full");
    }
}
