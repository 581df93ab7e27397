use super::*;

fn d() -> &'static Divisions {
    Divisions::builtin()
}

fn town(text: &str) -> &'static str {
    match d().resolve_address(text) {
        Ok(t) => t.code,
        Err(e) => panic!("{text}: {e}"),
    }
}

#[test]
fn the_common_superior_is_the_lowest_real_division_above_both() {
    let sup = |a, b| d().common_superior(a, b).map(|x| x.code);
    assert_eq!(sup("330421", "330481"), Some("330400"));
    assert_eq!(sup("320509", "320412"), Some("320000"));
    // Shanghai's districts hang under the placeholder 市辖区, which is no authority.
    assert_eq!(sup("310118", "310115"), Some("310000"));
    assert_eq!(sup("330421", "320412"), None);
}

#[test]
fn pilot_codes_exist() {
    let expected = [
        ("310118", "青浦区", Level::County),
        ("320509", "吴江区", Level::County),
        ("330421", "嘉善县", Level::County),
        ("320412", "武进区", Level::County),
        ("310118104", "金泽镇", Level::Town),
        ("310118102", "朱家角镇", Level::Town),
        ("320509110", "黎里镇", Level::Town),
        ("330421103", "西塘镇", Level::Town),
        ("330421111", "姚庄镇", Level::Town),
        ("330421112", "天凝镇", Level::Town),
    ];
    for (code, name, level) in expected {
        let div = d().get(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!((div.name, div.level), (name, level), "{code}");
    }
}

#[test]
fn data_shape() {
    let mut counts = [0; 4];
    for div in d().iter() {
        counts[div.level as usize] += 1;
        let parent = div.parent_code.map(|p| d().get(p).unwrap().code);
        assert_eq!(
            parent.is_none(),
            div.level == Level::Province,
            "{}",
            div.code
        );
        assert!(parent.is_none_or(|p| div.code.starts_with(p.trim_end_matches("00"))));
    }
    assert_eq!(counts, [31, 342, 2975, 41352]);
}

#[test]
fn full_name_skips_placeholders() {
    let full = |code| d().full_name(code).unwrap();
    assert_eq!(full("330421103"), "浙江省嘉兴市嘉善县西塘镇");
    assert_eq!(full("310118104"), "上海市青浦区金泽镇");
    assert_eq!(full("320509110"), "江苏省苏州市吴江区黎里镇");
    assert_eq!(full("320412"), "江苏省常州市武进区");
    assert_eq!(full("310100"), "上海市市辖区");
    assert_eq!(full("429004"), "湖北省仙桃市");
    assert_eq!(d().full_name("999999"), None);
}

#[test]
fn get_accepts_short_and_long_forms() {
    let province = d().get("330000").unwrap();
    assert!(std::ptr::eq(d().get("33").unwrap(), province));
    assert_eq!(province.level, Level::Province);
    assert_eq!(d().get("3304").unwrap().code, "330400");
    assert_eq!(d().get("330421103000").unwrap().code, "330421103");
    for bad in [
        "",
        "3",
        "999999",
        "3300",
        "330421103001",
        "33042110",
        "33a000",
        "３３",
    ] {
        assert_eq!(d().get(bad), None, "{bad:?}");
    }
}

#[test]
fn county_of_and_children() {
    assert_eq!(d().county_of("330421103").unwrap().code, "330421");
    assert_eq!(d().county_of("330421").unwrap().code, "330421");
    assert_eq!(d().county_of("330400"), None);
    assert_eq!(d().county_of("330000"), None);
    assert_eq!(d().county_of("441900003").unwrap().code, "441900");
    let kids = d().children("330421");
    assert!(kids.iter().any(|k| k.code == "330421103"));
    assert!(kids.iter().all(|k| k.parent_code == Some("330421")));
    assert!(kids.windows(2).all(|w| w[0].code < w[1].code));
    assert_eq!(d().children("31").len(), 1);
    assert!(d().children("330421103").is_empty());
    assert!(d().children("nope").is_empty());
}

#[test]
fn search_ranks_exact_then_prefix() {
    assert_eq!(d().search("西塘", 10)[0].code, "330421103");
    assert_eq!(d().search("嘉善", 10)[0].code, "330421");
    assert_eq!(d().search("浙江省", 1)[0].code, "330000");
    assert_eq!(d().search("城关镇", 3).len(), 3);
    assert!(d().search("  ", 10).is_empty());
    assert!(d().search("西塘", 0).is_empty());
}

#[test]
fn short_forms_drop_suffixes_and_ethnic_groups() {
    assert_eq!(short_forms("嘉善县"), ["嘉善"]);
    assert_eq!(short_forms("西塘镇"), ["西塘"]);
    assert_eq!(short_forms("浦东新区"), ["浦东"]);
    assert_eq!(short_forms("广西壮族自治区"), ["广西壮族", "广西"]);
    assert_eq!(short_forms("新疆维吾尔自治区"), ["新疆维吾尔", "新疆"]);
    assert_eq!(short_forms("内蒙古自治区"), ["内蒙古"]);
    assert!(short_forms("湘西土家族苗族自治州").contains(&"湘西"));
    assert!(short_forms("城区").is_empty());
}

#[test]
fn resolves_pilot_addresses() {
    assert_eq!(town("浙江省嘉兴市嘉善县西塘镇南大街8号"), "330421103");
    assert_eq!(town("嘉善西塘南大街8号"), "330421103");
    assert_eq!(town("上海青浦朱家角镇北大街"), "310118102");
    assert_eq!(town("上海市青浦区金泽镇"), "310118104");
    assert_eq!(town("江苏省苏州市吴江区黎里镇"), "320509110");
    assert_eq!(town("嘉善县姚庄镇"), "330421111");
    assert_eq!(town("天凝镇"), "330421112");
}

#[test]
fn town_name_shared_across_counties_needs_context() {
    // 西塘镇 is also 430602100 in 岳阳市岳阳楼区.
    let Err(AddressError::Ambiguous { candidates }) = d().resolve_address("西塘镇胥塘路1号")
    else {
        panic!("expected ambiguity");
    };
    assert_eq!(candidates, ["330421103", "430602100"]);
    assert_eq!(town("嘉善西塘镇胥塘路1号"), "330421103");
    assert_eq!(town("嘉兴西塘镇胥塘路1号"), "330421103");

    let Err(AddressError::Ambiguous { candidates }) = d().resolve_address("城关镇解放路")
    else {
        panic!("expected ambiguity");
    };
    assert_eq!(candidates.len(), MAX_CANDIDATES);
    assert!(
        candidates
            .iter()
            .all(|c| d().get(c).unwrap().name == "城关镇")
    );
    assert_eq!(town("太和县城关镇解放路"), "341222100");
    assert_eq!(town("安徽太和城关镇"), "341222100");
}

#[test]
fn partial_and_unknown_addresses() {
    let county_only = |code: &str| {
        Err(AddressError::CountyOnly {
            county_code: code.to_owned(),
        })
    };
    assert_eq!(d().resolve_address("嘉善"), county_only("330421"));
    assert_eq!(
        d().resolve_address("浙江省嘉兴市嘉善县"),
        county_only("330421")
    );
    // 人民路 is also the short form of several 人民路街道; the earlier county wins.
    assert_eq!(
        d().resolve_address("嘉善县人民路1号"),
        county_only("330421")
    );
    assert_eq!(d().resolve_address("广东省东莞市"), county_only("441900"));
    assert_eq!(
        d().resolve_address("浙江省"),
        Err(AddressError::Ambiguous {
            candidates: vec!["330000".into()]
        })
    );
    // 火星街道 exists (430102009), but 火星市 is no town.
    assert_eq!(
        d().resolve_address("火星市某某路1号"),
        Err(AddressError::Unknown)
    );
    assert_eq!(town("长沙市芙蓉区火星街道"), "430102009");
    assert_eq!(d().resolve_address(""), Err(AddressError::Unknown));
}

#[test]
fn memory_budget() {
    let bytes = d().heap_bytes() + DATA.len();
    assert!(bytes < 50 << 20, "{bytes} bytes");
}
