//! `saishi init`: a new site that builds, identical to the project's own sample.

mod common;

use common::{Site, saishi, tree};

#[test]
fn init_writes_the_sample_site_which_builds() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("my-contest");
    let run = saishi(&["init", new.to_str().unwrap()]);
    run.assert_ok();
    assert!(run.stderr.contains("next: cd"), "{}", run.stderr);
    for file in [
        "site.yaml",
        "content/notices/2025-maker-china.md",
        "content/guide/registration.md",
        "content/data/past-winners.yaml",
        "themes/default/templates/entry.html",
        "themes/default/static/style.css",
        ".gitignore",
    ] {
        assert!(new.join(file).is_file(), "{file}");
    }
    saishi(&["build", "--root", new.to_str().unwrap()]).assert_ok();

    let sample = Site::sample();
    sample.build().assert_ok();
    assert_eq!(
        tree(&new.join("public")),
        tree(&sample.path("public")),
        "init gives the bundled sample"
    );
}

#[test]
fn init_refuses_a_folder_with_files() {
    let site = Site::fixture("minimal");
    let run = saishi(&["init", site.root.to_str().unwrap()]);
    run.assert_failed();
    assert!(
        run.stderr.contains("exists and is not empty"),
        "{}",
        run.stderr
    );
}
