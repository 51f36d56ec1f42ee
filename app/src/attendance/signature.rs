//! Signatures as strokes, not bitmaps: what a finger drew, simplified
//! (Ramer–Douglas–Peucker) and quantized to whole numbers on a 1000 × 400
//! grid, a few hundred bytes each; drawn back as SVG on screen and in print.

use super::model::{MAX_COORDINATES, MAX_STROKES, Signature, Stroke};
use leptos::prelude::*;

/// The pad's grid: x in 0..=WIDTH, y in 0..=HEIGHT (both within the
/// 0..=1000 the sign-in check allows).
pub const WIDTH: f64 = 1000.0;
pub const HEIGHT: f64 = 400.0;
/// How far (in grid units) a point may stray from the simplified line.
const TOLERANCE: f64 = 2.0;

/// Ramer–Douglas–Peucker: the fewest points that keep the line within
/// `tolerance` of what was drawn.
pub fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let (first, last) = (points[0], points[points.len() - 1]);
    let (dx, dy) = (last.0 - first.0, last.1 - first.1);
    let length = dx.hypot(dy);
    let distance = |p: &(f64, f64)| {
        if length == 0.0 {
            (p.0 - first.0).hypot(p.1 - first.1)
        } else {
            (dy * p.0 - dx * p.1 + last.0 * first.1 - last.1 * first.0).abs() / length
        }
    };
    let (index, farthest) = points[1..points.len() - 1]
        .iter()
        .enumerate()
        .map(|(i, p)| (i + 1, distance(p)))
        .fold(
            (0, 0.0),
            |best, next| if next.1 > best.1 { next } else { best },
        );
    if farthest <= tolerance {
        return vec![first, last];
    }
    let mut left = simplify(&points[..=index], tolerance);
    let right = simplify(&points[index..], tolerance);
    left.pop();
    left.extend(right);
    left
}

/// A drawn stroke as stored: simplified, rounded to the grid, clamped,
/// flattened to `[x, y, x, y, …]`, with repeated points dropped.
pub fn quantize(points: &[(f64, f64)]) -> Stroke {
    let mut out: Stroke = Vec::new();
    for (x, y) in simplify(points, TOLERANCE) {
        // Rounded and clamped to the grid, so the casts cannot overflow.
        let x = x.round().clamp(0.0, WIDTH) as u16;
        let y = y.round().clamp(0.0, HEIGHT) as u16;
        if out.len() >= 2 && out[out.len() - 2] == x && out[out.len() - 1] == y {
            continue;
        }
        out.push(x);
        out.push(y);
    }
    out
}

/// The SVG path of stored strokes; a single point becomes a dot.
pub fn path<C: std::fmt::Display>(strokes: &[Vec<C>]) -> String {
    let mut d = String::new();
    for stroke in strokes {
        let mut points = stroke.chunks_exact(2);
        let Some(start) = points.next() else {
            continue;
        };
        d.push_str(&format!("M{} {}", start[0], start[1]));
        let mut drawn = false;
        for point in points {
            d.push_str(&format!("L{} {}", point[0], point[1]));
            drawn = true;
        }
        if !drawn {
            d.push_str("l0.1 0");
        }
    }
    d
}

/// A handwritten name as a kiosk stores it: three strokes of 120 finger
/// samples each. Storage-size tests and the server benchmarks use it.
#[cfg(any(test, feature = "ssr"))]
pub fn sample_signature() -> Signature {
    let strokes: Vec<Stroke> = (0..3)
        .map(|stroke| {
            let points: Vec<(f64, f64)> = (0..120)
                .map(|i| {
                    let x = 60.0 + f64::from(stroke) * 300.0 + f64::from(i) * 2.2;
                    let y = 200.0 + 90.0 * (f64::from(i) / 6.0 + f64::from(stroke)).sin();
                    (x, y)
                })
                .collect();
            quantize(&points)
        })
        .collect();
    Signature::Drawn { strokes }
}

/// Coordinates in all strokes (x and y counted apart, as the server limits them).
pub fn coordinates(strokes: &[Stroke]) -> usize {
    strokes.iter().map(Vec::len).sum()
}

/// A stored signature drawn back: strokes as SVG, a typed name in italics
/// marked as typed, a paper entry marked as such.
#[component]
pub fn SignatureView(signature: Option<Signature>, typed_label: String) -> impl IntoView {
    match signature {
        Some(Signature::Drawn { strokes }) => view! {
            <svg class="signature" viewBox="0 0 1000 400" role="img" aria-label=typed_label.clone()
                preserveAspectRatio="xMidYMid meet">
                <path d=path(&strokes) fill="none" stroke="currentColor" stroke-width="12"
                    stroke-linecap="round" stroke-linejoin="round" />
            </svg>
        }
        .into_any(),
        Some(Signature::Typed { name }) => view! {
            <span class="signature signature--typed"><em>{name}</em>" "<small>{typed_label}</small></span>
        }
        .into_any(),
        None => ().into_any(),
    }
}

/// The drawing pad: pointer events (finger, stylus, mouse) on an SVG grid.
/// Each finished stroke is simplified and quantized into `strokes`.
#[component]
pub fn SignaturePad(
    strokes: RwSignal<Vec<Stroke>>,
    /// Set when a stroke would make the signature larger than allowed.
    too_long: RwSignal<bool>,
    label: Signal<String>,
    #[prop(optional)] described_by: Option<String>,
) -> impl IntoView {
    let current = RwSignal::new(Vec::<(f64, f64)>::new());
    let drawing = RwSignal::new(false);
    let svg = NodeRef::<leptos::svg::Svg>::new();
    let to_grid = move |x: f64, y: f64| -> Option<(f64, f64)> {
        #[cfg(feature = "hydrate")]
        {
            let element = svg.get_untracked()?;
            let element: &leptos::web_sys::Element = element.as_ref();
            let rect = element.get_bounding_client_rect();
            if rect.width() <= 0.0 || rect.height() <= 0.0 {
                return None;
            }
            Some((
                ((x - rect.left()) / rect.width() * WIDTH).clamp(0.0, WIDTH),
                ((y - rect.top()) / rect.height() * HEIGHT).clamp(0.0, HEIGHT),
            ))
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (x, y, svg);
            None
        }
    };
    let down = move |ev: leptos::ev::PointerEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        if let Some(element) = svg.get_untracked() {
            let element: &leptos::web_sys::Element = element.as_ref();
            let _ = element.set_pointer_capture(ev.pointer_id());
        }
        if let Some(point) = to_grid(f64::from(ev.client_x()), f64::from(ev.client_y())) {
            drawing.set(true);
            current.set(vec![point]);
        }
    };
    let moved = move |ev: leptos::ev::PointerEvent| {
        if !drawing.get_untracked() {
            return;
        }
        ev.prevent_default();
        if let Some(point) = to_grid(f64::from(ev.client_x()), f64::from(ev.client_y())) {
            current.update(|points| points.push(point));
        }
    };
    let up = move |_: leptos::ev::PointerEvent| {
        if !drawing.get_untracked() {
            return;
        }
        drawing.set(false);
        let stroke = quantize(&current.get_untracked());
        current.set(Vec::new());
        if stroke.is_empty() {
            return;
        }
        let fits = strokes.with_untracked(|all| {
            all.len() < MAX_STROKES && coordinates(all) + stroke.len() <= MAX_COORDINATES
        });
        if fits {
            strokes.update(|all| all.push(stroke));
        } else {
            too_long.set(true);
        }
    };
    let live = move || {
        let points: Vec<i64> = current.with(|points| {
            points
                .iter()
                .flat_map(|(x, y)| [x.round() as i64, y.round() as i64])
                .collect()
        });
        path(&[points])
    };
    view! {
        <svg class="signature-pad" viewBox="0 0 1000 400" node_ref=svg role="img"
            aria-label=label aria-describedby=described_by
            on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointercancel=up>
            <line x1="40" y1="330" x2="960" y2="330" class="signature-pad__line" />
            <path d=move || strokes.with(|all| path(all)) class="signature-pad__ink" />
            <path d=live class="signature-pad__ink" />
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::{
        Change, MutationResult, Op, Status,
        local::{LocalStore, MemoryStorage},
    };
    use serde_json::json;
    use uuid::Uuid;

    #[test]
    fn a_straight_line_keeps_its_two_ends() {
        let line: Vec<(f64, f64)> = (0..=100).map(|i| (f64::from(i) * 5.0, 100.0)).collect();
        assert_eq!(simplify(&line, 2.0), vec![(0.0, 100.0), (500.0, 100.0)]);
        assert_eq!(quantize(&line), vec![0, 100, 500, 100]);
    }

    #[test]
    fn a_corner_is_kept_and_jitter_is_not() {
        let mut points: Vec<(f64, f64)> = (0..=50)
            .map(|i| (f64::from(i) * 4.0, if i % 2 == 0 { 10.0 } else { 11.0 }))
            .collect();
        points.extend((1..=50).map(|i| (200.0, 10.0 + f64::from(i) * 4.0)));
        let stroke = quantize(&points);
        assert_eq!(stroke.len(), 6, "{stroke:?}");
        assert_eq!(&stroke[2..4], &[200, 10]);
    }

    #[test]
    fn points_are_clamped_to_the_grid_and_a_tap_is_a_dot() {
        assert_eq!(quantize(&[(-5.0, 900.0)]), vec![0, 400]);
        assert_eq!(path(&[vec![10, 20]]), "M10 20l0.1 0");
        assert_eq!(
            path(&[vec![1, 2, 3, 4], vec![5, 6, 7, 8]]),
            "M1 2L3 4M5 6L7 8"
        );
    }

    #[test]
    fn a_stored_signature_reads_back_and_passes_the_sign_in_check() {
        let signature = Signature::Drawn {
            strokes: vec![vec![0, 0, 500, 400], vec![10, 10]],
        };
        let stored = signature.to_value();
        assert_eq!(Signature::parse(&stored), Ok(signature));
        assert!(super::super::model::check_field("signature", &stored).is_ok());
    }

    #[test]
    fn a_hundred_sign_ins_with_signatures_fit_with_room_to_spare() {
        let signature = sample_signature();
        let sign_in = |n: u32| {
            json!({
                "meeting_id": "5a1e0000-0000-4000-8000-000000000401",
                "full_name": format!("Katarzyna Wiśniewska-Nowak {n}"),
                "organization": "Stowarzyszenie Przyjaciół Ziemi Zaleskiej",
                "function": "przewodnicząca zarządu", "contact": "k.wisniewska@example.pl",
                "contact_consent": true, "clause_version": 1, "clause_ack": true,
                "image_consent": true, "signed_at": "2026-11-22T12:00:00Z",
                "signature": signature.to_value(),
            })
            .as_object()
            .cloned()
            .unwrap_or_default()
        };
        let mut store =
            LocalStore::open(MemoryStorage::default(), Uuid::from_u128(7)).expect("open");
        let empty = store.storage().chars();
        for n in 0..100 {
            store
                .save("sign_in", Uuid::new_v4(), Op::Upsert, sign_in(n), None)
                .expect("save");
        }
        let waiting = store.storage().chars() - empty;
        let batch = store.take_batch(100).expect("batch");
        let pulled: Vec<Change> = batch
            .iter()
            .map(|m| Change {
                entity: m.entity.clone(),
                record_id: m.record_id,
                rev: 1,
                deleted: false,
                data: m.data.clone(),
                library_id: None,
            })
            .collect();
        let acknowledged: Vec<MutationResult> = batch
            .iter()
            .map(|m| MutationResult {
                id: m.id,
                status: Status::Applied,
                rev: Some(1),
                replayed: false,
                conflicts: Vec::new(),
                error: None,
            })
            .collect();
        store
            .apply_response(&acknowledged, &pulled, 1, None)
            .expect("sync");
        let synced = store.storage().chars() - empty;
        let Signature::Drawn { strokes } = &signature else {
            panic!("a drawn sample");
        };
        let coordinates = coordinates(strokes);
        println!(
            "one sign-in ({coordinates} signature coordinates): {} characters waiting, {} synced",
            waiting / 100,
            synced / 100
        );
        // The figures the README gives; 5 million characters is the budget.
        assert!(waiting / 100 < 2_000, "waiting: {waiting}");
        assert!(synced / 100 < 2_000, "synced: {synced}");
        assert!(waiting.max(synced) < 250_000);
    }
}
