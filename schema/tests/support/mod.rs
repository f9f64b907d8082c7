//! Node.js as the judge of ECMAScript's answers: a real engine, unlike regress, which departs
//! from ECMA-262 in corners (`((\D)\.|\1.){2}` in `"a."`: no match, where ECMAScript clears
//! the group for the second iteration and matches).

use std::io::Write;
use std::process::{Command, Stdio};

/// Each pattern searched for in its text by Node's `RegExp` (with the `u` flag when the pattern
/// is valid with it, as `CompiledPattern` does): `Some(found)`, or `None` for a pattern Node
/// refuses. `None` overall when Node is not installed.
pub fn node_answers(cases: &[(String, String)]) -> Option<Vec<Option<bool>>> {
    // A sticky search at each start position, skipping the middles of surrogate pairs under
    // `u` as ECMA-262's search does: V8's own loop tries them (`/\B/u` matches "1😀b" between
    // the halves of 😀).
    const SCRIPT: &str = r#"
        const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const splitsPair = (t, i) => i > 0 && i < t.length
            && /[\uD800-\uDBFF]/.test(t[i - 1]) && /[\uDC00-\uDFFF]/.test(t[i]);
        const search = (p, t) => {
            let re, unicode = true;
            try { re = new RegExp(p, "uy"); } catch { re = new RegExp(p, "y"); unicode = false; }
            for (let i = 0; i <= t.length; i++) {
                if (unicode && splitsPair(t, i)) continue;
                re.lastIndex = i;
                if (re.test(t)) return true;
            }
            return false;
        };
        const answers = cases.map(([p, t]) => { try { return search(p, t); } catch { return null; } });
        process.stdout.write(JSON.stringify(answers));
    "#;
    let mut child = match Command::new("node")
        .args(["-e", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        // CI installs Node (`.ci/run`), so there a missing Node fails rather than skipping
        // the comparison; elsewhere the written-out answers are still asserted.
        Err(error) if std::env::var_os("CI").is_none() => {
            eprintln!("node cannot be run ({error}): ECMAScript's answers not confirmed");
            return None;
        }
        Err(error) => {
            panic!("node cannot be run ({error}), and CI must confirm ECMAScript's answers")
        }
    };
    let input = serde_json::to_vec(cases).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "node failed: {output:?}");
    Some(serde_json::from_slice(&output.stdout).unwrap())
}
