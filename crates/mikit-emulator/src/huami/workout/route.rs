//! GPS routes: a loop (a wobbly ellipse through home, run once or twice) or an out-and-back
//! (a gently curving path walked out and back along itself), as polylines in metres east /
//! north of home, walked by distance. Positions are continuous by construction.

use std::f64::consts::TAU;

use crate::rng::Rng;

/// Metres per degree of latitude (and of longitude at the equator).
const M_PER_DEG: f64 = 111_320.0;

/// A route of a given total length starting and ending at home.
pub(crate) struct Route {
    /// Vertices (east, north) in metres, the first at home.
    pts: Vec<(f64, f64)>,
    /// Cumulative length at each vertex.
    cum: Vec<f64>,
    /// Whether the polyline is walked out and back (else: looped).
    out_and_back: bool,
}

impl Route {
    /// A route of `total` metres: a loop when `looped`, else an out-and-back.
    pub fn new(r: &mut Rng, total: f64, looped: bool) -> Route {
        let total = total.max(10.0);
        let (pts, out_and_back) = if looped {
            // Long runs go twice round a smaller loop.
            let laps = if total > 9_000.0 && r.chance(0.4) {
                2.0
            } else {
                1.0
            };
            (wobbly_loop(r, total / laps), false)
        } else {
            (curving_path(r, total / 2.0), true)
        };
        let mut cum = Vec::with_capacity(pts.len());
        let mut acc = 0.0;
        for (i, p) in pts.iter().enumerate() {
            if i > 0 {
                let q = pts[i - 1];
                acc += ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt();
            }
            cum.push(acc);
        }
        Route {
            pts,
            cum,
            out_and_back,
        }
    }

    /// The point `s` metres along the route.
    pub fn at(&self, s: f64) -> (f64, f64) {
        let len = self.cum.last().copied().unwrap_or(0.0);
        if len <= 0.0 {
            return (0.0, 0.0);
        }
        let s = if self.out_and_back {
            // Out to the far end, then back the same way.
            let x = s.rem_euclid(2.0 * len);
            if x > len { 2.0 * len - x } else { x }
        } else {
            s.rem_euclid(len)
        };
        let i = self
            .cum
            .partition_point(|c| *c <= s)
            .clamp(1, self.pts.len() - 1);
        let (a, b) = (self.pts[i - 1], self.pts[i]);
        let seg = self.cum[i] - self.cum[i - 1];
        let f = if seg > 0.0 {
            (s - self.cum[i - 1]) / seg
        } else {
            0.0
        };
        (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f)
    }
}

/// A closed curve of perimeter ≈ `perimeter` through (0, 0): an ellipse with two wobbles,
/// rotated at random.
fn wobbly_loop(r: &mut Rng, perimeter: f64) -> Vec<(f64, f64)> {
    const N: usize = 240;
    let (p1, p2, rot) = (r.unit() * TAU, r.unit() * TAU, r.unit() * TAU);
    let stretch = 1.0 + 0.6 * r.unit();
    let unit: Vec<(f64, f64)> = (0..=N)
        .map(|i| {
            let th = TAU * i as f64 / N as f64;
            let rad = 1.0 + 0.15 * (3.0 * th + p1).sin() + 0.06 * (5.0 * th + p2).sin();
            let (x, y) = (stretch * rad * th.cos(), rad * th.sin() / stretch);
            (x * rot.cos() - y * rot.sin(), x * rot.sin() + y * rot.cos())
        })
        .collect();
    let per1: f64 = unit
        .windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .sum();
    let k = perimeter / per1.max(1e-9);
    let o = unit[0];
    unit.into_iter()
        .map(|(x, y)| ((x - o.0) * k, (y - o.1) * k))
        .collect()
}

/// An open path of `length` metres from (0, 0): 25 m segments whose heading drifts.
fn curving_path(r: &mut Rng, length: f64) -> Vec<(f64, f64)> {
    const SEG: f64 = 25.0;
    let n = (length / SEG).ceil().max(1.0) as usize;
    let step = length / n as f64;
    let mut heading = r.unit() * TAU;
    let mut turn = 0.0;
    let mut p = (0.0, 0.0);
    let mut out = Vec::with_capacity(n + 1);
    out.push(p);
    for _ in 0..n {
        turn = 0.9 * turn + 0.04 * (r.unit() - 0.5);
        heading += turn;
        p = (p.0 + step * heading.cos(), p.1 + step * heading.sin());
        out.push(p);
    }
    out
}

/// Degrees (lat, lon) of the point `east`/`north` metres from `home`.
pub(crate) fn to_degrees(home: (f64, f64), east: f64, north: f64) -> (f64, f64) {
    (
        home.0 + north / M_PER_DEG,
        home.1 + east / (M_PER_DEG * home.0.to_radians().cos()),
    )
}

/// The geohash of (lat, lon) with `len` characters (Niemeyer's public-domain scheme: bits
/// alternate longitude/latitude, base-32 alphabet without a, i, l, o).
pub(crate) fn geohash(lat: f64, lon: f64, len: usize) -> String {
    const B32: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (mut la, mut lo) = ((-90.0f64, 90.0f64), (-180.0f64, 180.0f64));
    let mut out = String::with_capacity(len);
    let (mut bits, mut ch, mut even) = (0, 0usize, true);
    while out.len() < len {
        let (range, v) = if even { (&mut lo, lon) } else { (&mut la, lat) };
        let mid = (range.0 + range.1) / 2.0;
        ch <<= 1;
        if v >= mid {
            ch |= 1;
            range.0 = mid;
        } else {
            range.1 = mid;
        }
        even = !even;
        bits += 1;
        if bits == 5 {
            out.push(char::from(B32[ch]));
            (bits, ch) = (0, 0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geohash_matches_the_published_example() {
        // Wikipedia "Geohash": 57.64911, 10.40744 → u4pruydqqvj.
        assert_eq!(geohash(57.64911, 10.40744, 11), "u4pruydqqvj");
    }

    #[test]
    fn routes_are_continuous_and_start_at_home() {
        for looped in [true, false] {
            let mut r = Rng::stream(&[1, u64::from(looped)]);
            let route = Route::new(&mut r, 12_345.0, looped);
            assert_eq!(route.at(0.0), (0.0, 0.0));
            let end = route.at(12_345.0);
            assert!(end.0.hypot(end.1) < 5.0, "{end:?}");
            let mut prev = route.at(0.0);
            for i in 1..=12_345 {
                let p = route.at(f64::from(i));
                let d = (p.0 - prev.0).hypot(p.1 - prev.1);
                assert!(d <= 1.01, "jump of {d} m at {i}");
                prev = p;
            }
        }
    }
}
