//! Property: applying the plan from A to B to A yields B, on everything the
//! ACS can change (writable parameters, instances of writable tables).
//! Read-only differences must be reported as unachievable instead.

use std::collections::BTreeSet;

use cwmpkit_core::model::plan::{PlanOptions, apply, plan};
use cwmpkit_core::model::set::{Entry, ParameterSet};
use proptest::prelude::*;

/// A small universe: a writable table `D.T.{1..4}.` with a writable `W` and a
/// read-only `R` per row, a nested writable table `D.T.{i}.S.{1..2}.` with `W`,
/// and top-level `D.W1`, `D.W2` (writable) and `D.R1` (read-only). Whether a
/// name is writable depends on the name only, as on a real device.
fn universe() -> Vec<String> {
    let mut paths = vec!["D.W1".to_string(), "D.W2".to_string(), "D.R1".to_string()];
    for row in 1..=4 {
        paths.push(format!("D.T.{row}.W"));
        paths.push(format!("D.T.{row}.R"));
        for sub in 1..=2 {
            paths.push(format!("D.T.{row}.S.{sub}.W"));
        }
    }
    paths
}

fn is_writable(path: &str) -> bool {
    path.rsplit('.').next().is_some_and(|leaf| leaf.starts_with('W'))
}

/// Builds a set from the universe: `present[i]` picks paths, `values[i]`
/// their values, `notifications[i]` their notification level.
fn build(present: &[bool], values: &[u8], notifications: &[u8]) -> ParameterSet {
    universe()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| present[*i])
        .map(|(i, path)| Entry {
            writable: Some(is_writable(&path)),
            notification: Some(notifications[i] % 3),
            ..Entry::parameter(path, format!("v{}", values[i] % 4))
        })
        .collect()
}

fn arb_set() -> impl Strategy<Value = ParameterSet> {
    let n = universe().len();
    (
        prop::collection::vec(any::<bool>(), n),
        prop::collection::vec(any::<u8>(), n),
        prop::collection::vec(any::<u8>(), n),
    )
        .prop_map(|(present, values, notifications)| build(&present, &values, &notifications))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn apply_plan_reaches_the_desired_writable_state(a in arb_set(), b in arb_set()) {
        let planned = plan(&a, &b, &PlanOptions::default());
        let result = apply(&planned.rpcs, &a);

        // Instances: exactly B's.
        let instances_b: BTreeSet<String> = b.instances().into_iter().collect();
        let instances_result: BTreeSet<String> = result.instances().into_iter().collect();
        prop_assert_eq!(&instances_result, &instances_b);

        let unachievable: BTreeSet<&str> = planned.unachievable.iter().map(|u| u.path.as_str()).collect();
        for wanted in b.entries() {
            let got = result.get(&wanted.path);
            if is_writable(&wanted.path) {
                // Writable parameters: value and notification as desired.
                let got = got.expect("writable parameter present after apply");
                prop_assert_eq!(&got.value, &wanted.value, "{}", wanted.path);
                prop_assert_eq!(got.notification, wanted.notification, "{}", wanted.path);
            } else {
                // Read-only: either already right, or reported as unachievable.
                let already = a.get(&wanted.path).is_some_and(|e| e.value == wanted.value);
                prop_assert!(already || unachievable.contains(wanted.path.as_str()), "{} silently skipped", wanted.path);
            }
        }
        // Parameters of A that B lacks, outside deleted rows, cannot be
        // removed: each is reported.
        for old in a.entries() {
            if b.get(&old.path).is_none() && result.get(&old.path).is_some() {
                prop_assert!(unachievable.contains(old.path.as_str()), "{} neither removed nor reported", old.path);
            }
        }
    }

    #[test]
    fn planning_a_set_against_itself_is_empty(a in arb_set()) {
        let planned = plan(&a, &a, &PlanOptions::default());
        prop_assert!(planned.rpcs.is_empty());
        prop_assert!(planned.unachievable.is_empty());
    }
}
