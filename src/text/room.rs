//! Room in a list for what is still to come, estimated from what came so far: a list that
//! doubles holds up to twice the room it needs, and the lists a policy's reading makes (its
//! statements, their warnings, lint's findings) are most of its memory.

/// Makes room in `list` for at least `need` more, when it has less. `made` of its kind were
/// made from the `read` parts of the input so far (bytes, statements); `left` parts are still
/// to come, at the same rate. The room taken is between a quarter of `made` (so that a poor
/// estimate still grows geometrically) and `made` (as doubling would), and at least `need`.
pub(crate) fn reserve_at_rate<T>(
    list: &mut Vec<T>,
    need: usize,
    made: usize,
    read: usize,
    left: usize,
) {
    if list.capacity() - list.len() >= need {
        return;
    }
    if made < 64 {
        list.reserve_exact(made.max(need).max(4));
        return;
    }
    let rest = u128::from(left as u64) * made as u128 / read.max(1) as u128;
    let rest = usize::try_from(rest).unwrap_or(usize::MAX);
    list.reserve_exact(
        rest.saturating_add(16)
            .clamp((made / 4).max(need), made.max(need)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The capacity of a list of `len` (no more room) after `reserve_at_rate`.
    fn room_after(len: usize, need: usize, made: usize, read: usize, left: usize) -> usize {
        let mut list: Vec<u8> = vec![0; len];
        list.shrink_to_fit();
        reserve_at_rate(&mut list, need, made, read, left);
        list.capacity()
    }

    #[test]
    fn room_follows_the_rate_so_far_within_a_quarter_and_double() {
        // 1,000 made from 1,000 bytes, 500 bytes left: about 500 more.
        assert_eq!(room_after(1_000, 1, 1_000, 1_000, 500), 1_516);
        // Nothing seems to be left: a quarter more all the same.
        assert_eq!(room_after(1_000, 1, 1_000, 1_000, 0), 1_250);
        // Far more seems to be left: no more than doubling.
        assert_eq!(room_after(1_000, 1, 1_000, 10, 1_000_000), 2_000);
        // A list of other things (here 20,000 of them) grows by what this kind made.
        assert_eq!(room_after(20_000, 4, 0, 10, 90), 20_004);
        // Room enough already: nothing changes.
        let mut list: Vec<u8> = Vec::with_capacity(10);
        reserve_at_rate(&mut list, 10, 0, 0, 100);
        assert_eq!(list.capacity(), 10);
    }
}
