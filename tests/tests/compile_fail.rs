//! Wrong credentials do not compile, and the compiler says why.

#[test]
fn wrong_credentials_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
