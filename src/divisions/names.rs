//! The spelling of division names: generic suffixes (县, 自治州, 街道 ...), the placeholders that
//! group divisions without being one, and the short forms an address may use.

use super::level::Level;

/// Names of grouping rows that add nothing when spelled out inside a full name.
pub const PLACEHOLDER_NAMES: &[&str] = &[
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

/// Generic name suffixes; dropping the longest matching one gives a division's short form.
pub const SUFFIXES: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "民族乡",
    "民族镇",
    "地区",
    "新区",
    "街道",
    "苏木",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
    "镇",
    "乡",
];

/// Ethnic groups peeled off short forms, so 湘西土家族苗族自治州 is also known as 湘西.
const ETHNIC_GROUPS: &[&str] = &[
    "维吾尔",
    "各族",
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "蔵族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

/// Short forms of a name, longest first: 嘉善县 → 嘉善, 湘西土家族苗族自治州 → 湘西土家族苗族, 湘西土家族, 湘西.
pub fn short_forms(name: &str) -> Vec<&str> {
    let mut forms = Vec::new();
    let Some(suffix) = longest_suffix(name, SUFFIXES) else {
        return forms;
    };
    let mut stem = &name[..name.len() - suffix.len()];
    while stem.chars().nth(1).is_some() {
        forms.push(stem);
        match longest_suffix(stem, ETHNIC_GROUPS) {
            Some(group) => stem = &stem[..stem.len() - group.len()],
            None => break,
        }
    }
    forms
}

pub fn longest_prefix(text: &str, prefixes: &[&'static str]) -> Option<&'static str> {
    prefixes
        .iter()
        .copied()
        .filter(|p| text.starts_with(p))
        .max_by_key(|p| p.len())
}

/// Whether a name suffix written in an address can belong to a division of this level.
pub fn suffix_fits(suffix: &str, level: Level) -> bool {
    match level {
        Level::Province => matches!(suffix, "省" | "市" | "自治区" | "特别行政区"),
        Level::City => matches!(suffix, "市" | "地区" | "自治州" | "盟"),
        Level::County => matches!(
            suffix,
            "市" | "区" | "县" | "旗" | "自治县" | "自治旗" | "新区"
        ),
        Level::Town => matches!(suffix, "镇" | "乡" | "街道" | "苏木" | "民族乡" | "民族镇"),
    }
}

fn longest_suffix(name: &str, suffixes: &[&'static str]) -> Option<&'static str> {
    suffixes
        .iter()
        .copied()
        .filter(|s| name.ends_with(s))
        .max_by_key(|s| s.len())
}
