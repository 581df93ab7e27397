use super::*;

// Tiny deterministic LCG so the property tests need no rand crate.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }

    fn pick(&mut self, set: &[u8]) -> char {
        char::from(set[self.below(set.len())])
    }
}

fn with_id_check(first17: &str) -> String {
    format!("{first17}{}", resident_id_check_char(first17).unwrap())
}

fn with_uscc_check(first17: &str) -> String {
    format!("{first17}{}", Uscc::compute_check_char(first17).unwrap())
}

fn ymd_string((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}{m:02}{d:02}")
}

#[test]
fn error_messages_are_distinct() {
    let all = [
        PHONE_EMPTY,
        PHONE_CHARS,
        PHONE_UNRECOGNISED,
        PHONE_FOREIGN,
        PHONE_PREFIX_MOBILE_ONLY,
        PHONE_MOBILE_LEN,
        PHONE_MOBILE_PREFIX,
        PHONE_AREA,
        PHONE_SUBSCRIBER_LEN,
        PHONE_SUBSCRIBER_START,
        PHONE_EXT,
        PHONE_NOT_PERSONAL,
        ID_LENGTH,
        ID_CHARS,
        ID_REGION,
        ID_BIRTH,
        ID_CHECK,
        USCC_LENGTH,
        USCC_CHARS,
        USCC_AUTHORITY,
        USCC_DIVISION,
        USCC_CHECK,
        NAME_EMPTY,
        NAME_TOO_LONG,
        NAME_CONTROL,
        NAME_DIGITS,
    ];
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn mobile_formats_normalize_to_eleven_digits() {
    for input in [
        "13800138000",
        " 13800138000 ",
        "+8613800138000",
        "+86 13800138000",
        "+86-13800138000",
        "86 13800138000",
        "86-13800138000",
        "8613800138000",
        "138 0013 8000",
        "138-0013-8000",
        "１３８００１３８０００",
        "＋８６　１３８００１３８０００",
    ] {
        let p = Phone::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(p.as_str(), "13800138000", "{input}");
        assert_eq!(p.kind(), PhoneKind::Mobile);
        assert_eq!(p.masked(), "138****8000");
    }
    for prefix in ["13", "14", "15", "16", "17", "18", "19"] {
        assert!(Phone::parse(&format!("{prefix}912345678")).is_ok());
    }
}

#[test]
fn mobile_errors() {
    assert_eq!(Phone::parse("12800138000"), Err(PHONE_MOBILE_PREFIX));
    assert_eq!(Phone::parse("11800138000"), Err(PHONE_MOBILE_PREFIX));
    assert_eq!(Phone::parse("1380013800"), Err(PHONE_MOBILE_LEN));
    assert_eq!(Phone::parse("138001380001"), Err(PHONE_MOBILE_LEN));
    assert_eq!(Phone::parse("110"), Err(PHONE_MOBILE_LEN));
    assert_eq!(Phone::parse("+1 2025550123"), Err(PHONE_FOREIGN));
    assert_eq!(Phone::parse("+852 91234567"), Err(PHONE_FOREIGN));
    assert_eq!(
        Phone::parse("+86 0571 87654321"),
        Err(PHONE_PREFIX_MOBILE_ONLY)
    );
    assert_eq!(
        Phone::parse("+86 1380013800"),
        Err(PHONE_PREFIX_MOBILE_ONLY)
    );
    assert_eq!(Phone::parse("+86 12800138000"), Err(PHONE_MOBILE_PREFIX));
    assert_eq!(Phone::parse("+86"), Err(PHONE_PREFIX_MOBILE_ONLY));
    assert_eq!(Phone::parse("8612800138000"), Err(PHONE_MOBILE_PREFIX));
}

#[test]
fn landline_formats_normalize() {
    let cases = [
        ("0571-87654321", "0571-87654321"),
        ("0571 87654321", "0571-87654321"),
        ("057187654321", "0571-87654321"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("021 52345678", "021-52345678"),
        ("020-8765432", "020-8765432"),
        ("0931-8765432", "0931-8765432"),
        ("０５７１－８７６５４３２１", "0571-87654321"),
        ("0571-87654321-123", "0571-87654321-123"),
        ("0571-87654321转123", "0571-87654321-123"),
        ("0571-87654321 转 8", "0571-87654321-8"),
        ("057187654321-123456", "0571-87654321-123456"),
    ];
    for (input, want) in cases {
        let p = Phone::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(p.as_str(), want, "{input}");
        assert_eq!(p.kind(), PhoneKind::Landline);
    }
}

#[test]
fn landline_masking_keeps_area_code_and_last_four() {
    let masked = |s| Phone::parse(s).unwrap().masked();
    assert_eq!(masked("0571-87654321"), "0571-****4321");
    assert_eq!(masked("010-62345678"), "010-****5678");
    assert_eq!(masked("0931-8765432"), "0931-***5432");
    assert_eq!(masked("0571-87654321-123"), "0571-****4321");
}

#[test]
fn landline_errors() {
    assert_eq!(Phone::parse("0071-87654321"), Err(PHONE_AREA));
    assert_eq!(Phone::parse("0123-87654321"), Err(PHONE_AREA));
    assert_eq!(Phone::parse("05"), Err(PHONE_AREA));
    assert_eq!(Phone::parse("0571-8765"), Err(PHONE_SUBSCRIBER_LEN));
    assert_eq!(Phone::parse("0571-987654321"), Err(PHONE_SUBSCRIBER_LEN));
    assert_eq!(Phone::parse("0571-8765-4321"), Err(PHONE_SUBSCRIBER_LEN));
    assert_eq!(Phone::parse("0571--87654321"), Err(PHONE_SUBSCRIBER_LEN));
    assert_eq!(Phone::parse("0571-07654321"), Err(PHONE_SUBSCRIBER_START));
    assert_eq!(Phone::parse("010-12345678"), Err(PHONE_SUBSCRIBER_START));
    assert_eq!(Phone::parse("0571-87654321-1234567"), Err(PHONE_EXT));
    assert_eq!(Phone::parse("0571-87654321 99"), Err(PHONE_EXT));
    assert_eq!(Phone::parse("0571-87654321转"), Err(PHONE_UNRECOGNISED));
}

#[test]
fn service_numbers_and_hotlines() {
    let cases = [
        ("400-123-4567", "400-123-4567"),
        ("4001234567", "400-123-4567"),
        ("400 123 4567", "400-123-4567"),
        ("400-1234567", "400-123-4567"),
        ("800-820-8820", "800-820-8820"),
        ("12315", "12315"),
        ("12345", "12345"),
        ("95588", "95588"),
    ];
    for (input, want) in cases {
        let p = Phone::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(p.as_str(), want);
        assert_eq!(p.kind(), PhoneKind::Service);
        assert_eq!(p.masked(), want);
        assert_eq!(Phone::parse_personal(input), Err(PHONE_NOT_PERSONAL));
    }
    for personal in ["13800138000", "+86 139 1234 5678", "0571-87654321-123"] {
        assert_eq!(Phone::parse_personal(personal), Phone::parse(personal));
    }
    assert_eq!(Phone::parse_personal("138-abc"), Err(PHONE_CHARS));
}

#[test]
fn unrecognised_and_malformed_phones() {
    assert_eq!(Phone::parse(""), Err(PHONE_EMPTY));
    assert_eq!(Phone::parse("   "), Err(PHONE_EMPTY));
    assert_eq!(Phone::parse("138-0013-800a"), Err(PHONE_CHARS));
    assert_eq!(Phone::parse("138+00138000"), Err(PHONE_CHARS));
    assert_eq!(Phone::parse("(0571)87654321"), Err(PHONE_CHARS));
    assert_eq!(Phone::parse("-13800138000"), Err(PHONE_UNRECOGNISED));
    assert_eq!(Phone::parse("13800138000-"), Err(PHONE_UNRECOGNISED));
    assert_eq!(Phone::parse("401-123-4567"), Err(PHONE_UNRECOGNISED));
    assert_eq!(Phone::parse("4001234"), Err(PHONE_UNRECOGNISED));
    assert_eq!(Phone::parse("9558"), Err(PHONE_UNRECOGNISED));
    assert_eq!(Phone::parse("55512345"), Err(PHONE_UNRECOGNISED));
    assert_eq!(Phone::parse("13800138000转1"), Err(PHONE_UNRECOGNISED));
}

#[test]
fn phone_traits_and_serde() {
    let p: Phone = "+86 138-0013-8000".parse().unwrap();
    assert_eq!(p.to_string(), "13800138000");
    assert_eq!(format!("{p:?}"), "Phone(\"138****8000\")");
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(json, "\"13800138000\"");
    assert_eq!(serde_json::from_str::<Phone>(&json).unwrap(), p);
    let err = serde_json::from_str::<Phone>("\"12800138000\"").unwrap_err();
    assert!(err.to_string().contains(PHONE_MOBILE_PREFIX));
}

#[test]
fn standard_example_id_parses() {
    let id = ResidentId::parse("11010519491231002X").unwrap();
    assert_eq!(id.as_str(), "11010519491231002X");
    assert_eq!(id.birth_date(), (1949, 12, 31));
    assert_eq!(id.masked(), "110***********002X");
    assert_eq!(format!("{id:?}"), "ResidentId(\"110***********002X\")");
    let lower = ResidentId::parse(" 11010519491231002x ").unwrap();
    assert_eq!(lower, id);
    let wide = ResidentId::parse("１１０１０５１９４９１２３１００２ｘ").unwrap();
    assert_eq!(wide, id);
}

#[test]
fn computed_ids_parse_and_mask() {
    let id = ResidentId::parse(&with_id_check("33010620000229123")).unwrap();
    assert_eq!(id.birth_date(), (2000, 2, 29));
    assert!(id.masked().starts_with("330***********123"));
    for region in ["91", "83", "71", "65", "11"] {
        let raw = with_id_check(&format!("{region}010519491231002"));
        assert!(ResidentId::parse(&raw).is_ok(), "{raw}");
    }
}

#[test]
fn id_length_and_character_errors() {
    assert_eq!(ResidentId::parse("11010519491231002"), Err(ID_LENGTH));
    assert_eq!(ResidentId::parse("110105491231002"), Err(ID_LENGTH));
    assert_eq!(ResidentId::parse("11010519491231002X1"), Err(ID_LENGTH));
    assert_eq!(ResidentId::parse(""), Err(ID_LENGTH));
    assert_eq!(ResidentId::parse("1101051949123100XX"), Err(ID_CHARS));
    assert_eq!(ResidentId::parse("11010519491231002Y"), Err(ID_CHARS));
    assert_eq!(ResidentId::parse("110105194912310-2X"), Err(ID_CHARS));
    assert_eq!(ResidentId::parse("11010519491231002号"), Err(ID_CHARS));
}

#[test]
fn id_region_errors() {
    for region in [
        "00", "10", "16", "20", "38", "47", "55", "66", "72", "84", "90", "99",
    ] {
        let raw = with_id_check(&format!("{region}010519491231002"));
        assert_eq!(ResidentId::parse(&raw), Err(ID_REGION), "{raw}");
    }
}

#[test]
fn id_birth_date_errors() {
    // The standard's own example is valid arithmetic but born before 1900.
    assert_eq!(ResidentId::parse("440524188001010014"), Err(ID_BIRTH));
    for date in [
        "18991231", "19490230", "19491301", "19490001", "19491200", "19000229", "20230229",
    ] {
        let raw = with_id_check(&format!("330106{date}123"));
        assert_eq!(ResidentId::parse(&raw), Err(ID_BIRTH), "{raw}");
    }
    for date in ["19000101", "20000229", "20240229"] {
        let raw = with_id_check(&format!("330106{date}123"));
        assert!(ResidentId::parse(&raw).is_ok(), "{raw}");
    }
}

#[test]
fn id_birth_date_cannot_be_in_the_future() {
    let pinned = (2024, 6, 1);
    let ok = with_id_check("33010620240601123");
    let future = with_id_check("33010620240602123");
    assert!(ResidentId::parse_on(&ok, pinned).is_ok());
    assert_eq!(ResidentId::parse_on(&future, pinned), Err(ID_BIRTH));

    let today = today_days_in_china();
    let born_today = with_id_check(&format!("110105{}123", ymd_string(civil_from_days(today))));
    let tomorrow = with_id_check(&format!(
        "110105{}123",
        ymd_string(civil_from_days(today + 1))
    ));
    assert!(ResidentId::parse(&born_today).is_ok());
    assert_eq!(ResidentId::parse(&tomorrow), Err(ID_BIRTH));
}

#[test]
fn id_check_digit_errors() {
    assert_eq!(ResidentId::parse("110105194912310021"), Err(ID_CHECK));
    assert_eq!(ResidentId::parse("440524188001010015"), Err(ID_BIRTH));
    assert_eq!(ResidentId::parse("330106200001011234"), Err(ID_CHECK));
}

#[test]
fn resident_id_check_char_contract() {
    assert_eq!(resident_id_check_char("11010519491231002"), Some('X'));
    assert_eq!(resident_id_check_char("44052418800101001"), Some('4'));
    assert_eq!(resident_id_check_char("1101051949123100"), None);
    assert_eq!(resident_id_check_char("110105194912310021"), None);
    assert_eq!(resident_id_check_char("1101051949123100A"), None);
    assert_eq!(
        resident_id_check_char("１１０１０５１９４９１２３１００"),
        None
    );
}

#[test]
fn civil_date_algorithm() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(-1), (1969, 12, 31));
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    assert_eq!(civil_from_days(19_723), (2024, 1, 1));
    assert_eq!(civil_from_days(-25_567), (1900, 1, 1));
    assert!(today_in_china().0 >= 2025);
}

#[test]
fn id_serde_is_plain_string() {
    let id = ResidentId::parse("11010519491231002x").unwrap();
    assert_eq!(
        serde_json::to_string(&id).unwrap(),
        "\"11010519491231002X\""
    );
    assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
}

#[test]
fn id_property_computed_check_parses_and_other_checks_fail() {
    let mut rng = Lcg(0x1231_5123);
    let first_day = -25_567; // 1900-01-01
    let span = (today_days_in_china() - first_day + 1) as usize;
    for _ in 0..3000 {
        let province = PROVINCE_PREFIXES[rng.below(PROVINCE_PREFIXES.len())];
        let mut first17 = format!("{province:02}");
        for _ in 0..4 {
            first17.push(rng.pick(b"0123456789"));
        }
        let birth = civil_from_days(first_day + rng.below(span) as i64);
        first17.push_str(&ymd_string(birth));
        for _ in 0..3 {
            first17.push(rng.pick(b"0123456789"));
        }
        let check = resident_id_check_char(&first17).unwrap();
        let id = ResidentId::parse(&format!("{first17}{check}"))
            .unwrap_or_else(|e| panic!("{first17}{check}: {e}"));
        assert_eq!(id.birth_date(), birth);
        for other in "0123456789X".chars().filter(|&c| c != check) {
            let raw = format!("{first17}{other}");
            assert_eq!(ResidentId::parse(&raw), Err(ID_CHECK), "{raw}");
        }
        // Weights are non-zero mod 11, so any single-digit substitution moves the check.
        let pos = rng.below(17);
        let mut bytes = first17.clone().into_bytes();
        bytes[pos] = b'0' + ((bytes[pos] - b'0' + 1 + rng.below(9) as u8) % 10);
        let mutated = String::from_utf8(bytes).unwrap();
        assert_ne!(resident_id_check_char(&mutated), Some(check), "{mutated}");
        assert!(ResidentId::parse(&format!("{mutated}{check}")).is_err());
    }
}

#[test]
fn published_credit_codes_parse() {
    for code in [
        "91350100M000100Y43", // widely cited example
        "91440300708461136T", // Shenzhen Tencent Computer Systems
        "91330100799655058B", // Alibaba (China)
        "914403001922038216", // Huawei Technologies
        "91110108558521630L", // Xiaomi Communications
    ] {
        let u = Uscc::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(u.as_str(), code);
        assert_eq!(Uscc::compute_check_char(&code[..17]), code.chars().last());
    }
    let u = Uscc::parse(" 91350100m000100y43 ").unwrap();
    assert_eq!(u.as_str(), "91350100M000100Y43");
    assert_eq!(u.division_code(), "350100");
    assert_eq!(u.to_string(), "91350100M000100Y43");
}

#[test]
fn built_credit_code_parses() {
    let code = with_uscc_check("91330421MA2BC0D1E");
    let u: Uscc = code.parse().unwrap();
    assert_eq!(u.division_code(), "330421");
    assert_eq!(format!("{u:?}"), format!("Uscc({code:?})"));
    assert_eq!(serde_json::to_string(&u).unwrap(), format!("\"{code}\""));
    assert_eq!(
        serde_json::from_str::<Uscc>(&format!("\"{code}\"")).unwrap(),
        u
    );
    for authority in ["1", "5", "9", "Y", "A", "N"] {
        let raw = with_uscc_check(&format!("{authority}2330421MA2BC0D1E"));
        assert!(Uscc::parse(&raw).is_ok(), "{raw}");
    }
}

#[test]
fn credit_code_errors() {
    assert_eq!(Uscc::parse("91350100M000100Y4"), Err(USCC_LENGTH));
    assert_eq!(Uscc::parse("91350100M000100Y433"), Err(USCC_LENGTH));
    assert_eq!(Uscc::parse(""), Err(USCC_LENGTH));
    for bad in ['I', 'O', 'Z', 'S', 'V', '-', 'i', '号'] {
        let raw = format!("91350100M000100{bad}43");
        assert_eq!(Uscc::parse(&raw), Err(USCC_CHARS), "{raw}");
    }
    for authority in ["0", "X"] {
        let raw = with_uscc_check(&format!("{authority}1350100M000100Y4"));
        assert_eq!(Uscc::parse(&raw), Err(USCC_AUTHORITY), "{raw}");
    }
    let raw = with_uscc_check("9135A100M000100Y4");
    assert_eq!(Uscc::parse(&raw), Err(USCC_DIVISION));
    assert_eq!(Uscc::parse("91350100M000100Y44"), Err(USCC_CHECK));
    assert_eq!(Uscc::parse("91350100M000100Y4X"), Err(USCC_CHECK));
}

#[test]
fn compute_check_char_contract() {
    assert_eq!(Uscc::compute_check_char("91350100M000100Y4"), Some('3'));
    assert_eq!(Uscc::compute_check_char("91350100m000100y4"), Some('3'));
    assert_eq!(Uscc::compute_check_char("91350100M000100Y"), None);
    assert_eq!(Uscc::compute_check_char("91350100M000100Y43"), None);
    assert_eq!(Uscc::compute_check_char("91350100M000100I4"), None);
    // Sum ≡ 0 (mod 31) must give '0', not index 31.
    assert_eq!(Uscc::compute_check_char("00000000000000000"), Some('0'));
}

#[test]
fn uscc_property_computed_check_parses_and_other_checks_fail() {
    let mut rng = Lcg(0x9133_0421);
    for _ in 0..3000 {
        let mut first17 = String::new();
        first17.push(rng.pick(USCC_AUTHORITIES));
        first17.push(rng.pick(USCC_CHARSET));
        for _ in 0..6 {
            first17.push(rng.pick(b"0123456789"));
        }
        for _ in 0..9 {
            first17.push(rng.pick(USCC_CHARSET));
        }
        let check = Uscc::compute_check_char(&first17).unwrap();
        let code = format!("{first17}{check}");
        let u = Uscc::parse(&code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(u.division_code(), &first17[2..8]);
        assert_eq!(Uscc::parse(&code.to_ascii_lowercase()), Ok(u));
        for other in USCC_CHARSET.iter().map(|&b| char::from(b)) {
            if other != check {
                let raw = format!("{first17}{other}");
                assert_eq!(Uscc::parse(&raw), Err(USCC_CHECK), "{raw}");
            }
        }
        // 31 is prime and every weight is non-zero mod 31: substitutions are always caught.
        let pos = rng.below(17);
        let mut bytes = first17.clone().into_bytes();
        let old = uscc_value(bytes[pos]).unwrap() as usize;
        bytes[pos] = USCC_CHARSET[(old + 1 + rng.below(30)) % 31];
        let mutated = String::from_utf8(bytes).unwrap();
        assert_ne!(Uscc::compute_check_char(&mutated), Some(check), "{mutated}");
        assert!(Uscc::parse(&format!("{mutated}{check}")).is_err());
    }
}

#[test]
fn names_parse_and_mask() {
    let cases = [
        ("张三", "张*"),
        ("  李四  ", "李*"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳锋", "欧阳*"),
        ("欧阳", "欧*"),
        ("王", "王"),
        ("诸葛亮", "诸葛*"),
        ("阿依古丽·买买提", "阿*******"),
        ("John Smith", "J*********"),
        ("张3", "张*"),
    ];
    for (input, want) in cases {
        let n = PersonName::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(n.as_str(), input.trim());
        assert_eq!(n.masked(), want, "{input}");
    }
    let n = PersonName::parse("张三").unwrap();
    assert_eq!(format!("{n:?}"), "PersonName(\"张*\")");
    assert_eq!(serde_json::to_string(&n).unwrap(), "\"张三\"");
}

#[test]
fn name_errors() {
    assert_eq!(PersonName::parse(""), Err(NAME_EMPTY));
    assert_eq!(PersonName::parse(" \t\n"), Err(NAME_EMPTY));
    assert!(PersonName::parse(&"张".repeat(50)).is_ok());
    assert_eq!(PersonName::parse(&"张".repeat(51)), Err(NAME_TOO_LONG));
    assert_eq!(PersonName::parse("张\n三"), Err(NAME_CONTROL));
    assert_eq!(PersonName::parse("张\u{0007}三"), Err(NAME_CONTROL));
    assert_eq!(PersonName::parse("张\u{200B}三"), Err(NAME_CONTROL));
    assert_eq!(PersonName::parse("张\u{202E}三"), Err(NAME_CONTROL));
    assert_eq!(PersonName::parse("12345"), Err(NAME_DIGITS));
    assert_eq!(PersonName::parse("123 456"), Err(NAME_DIGITS));
    assert_eq!(PersonName::parse("１２３"), Err(NAME_DIGITS));
}

#[test]
fn address_masking() {
    assert_eq!(
        mask_address("浙江省杭州市西湖区文三路1号"),
        "浙江省杭州市****"
    );
    assert_eq!(mask_address("  北京市朝阳区  "), "北京市朝阳区****");
    assert_eq!(mask_address("杭州"), "杭州****");
    assert_eq!(mask_address(""), "****");
}
