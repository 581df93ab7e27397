//! Administrative divisions of mainland China down to town level (GB/T 2260 style codes),
//! embedded from `data/divisions.tsv` (see `scripts/gen-divisions.sh`), with code lookup,
//! name search and resolution of free-text addresses to a town.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use super::level::Level;
use super::names::{PLACEHOLDER_NAMES, SUFFIXES, longest_prefix, short_forms, suffix_fits};

static DATA: &str = include_str!("../../data/divisions.tsv");

const NO_PARENT: u32 = u32::MAX;

/// Most codes reported in [`AddressError::Ambiguous`].
const MAX_CANDIDATES: usize = 10;

/// Names considered per address; keeps the matching in `support` within a u64 bitmask.
const MAX_MENTIONS: usize = 64;

/// One division; all strings borrow from the embedded data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Division {
    /// 6 digits (`330000`, `330400`, `330421`) or 9 for towns (`330421103`).
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    /// `None` only for provinces. Towns of cities without counties (东莞, 中山, 儋州) have the city.
    pub parent_code: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressError {
    /// No division name found in the text.
    Unknown,
    /// No single town: up to 10 equally good most specific matches (towns first), or a lone city.
    Ambiguous { candidates: Vec<String> },
    /// A county (or a city without counties) was identified, but no town in it.
    CountyOnly { county_code: String },
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::Unknown => f.write_str("no administrative division found in address"),
            AddressError::Ambiguous { candidates } => {
                write!(
                    f,
                    "address matches several divisions: {}",
                    candidates.join(", ")
                )
            }
            AddressError::CountyOnly { county_code } => {
                write!(f, "address names county {county_code} but no town in it")
            }
        }
    }
}

impl std::error::Error for AddressError {}

/// Division table with lookup indexes; use [`Divisions::builtin`].
pub struct Divisions {
    /// Sorted by code, so code lookups are binary searches.
    items: Vec<Division>,
    parents: Vec<u32>,
    /// Per division, a range into `children`.
    child_ranges: Vec<(u32, u32)>,
    children: Vec<u32>,
    /// Full names and short forms, each mapped to a range into `postings` (ascending indexes).
    names: HashMap<&'static str, (u32, u32)>,
    postings: Vec<u32>,
    /// Bit n set: some indexed name starting with this char has n chars; bounds the address scan.
    name_lengths: HashMap<char, u64>,
}

impl fmt::Debug for Divisions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Divisions")
            .field("len", &self.items.len())
            .finish_non_exhaustive()
    }
}

/// A run of address text that spells a known name.
struct Mention<'a> {
    pos: usize,
    indices: Cow<'a, [u32]>,
}

impl Divisions {
    /// The embedded table, parsed on first use.
    pub fn builtin() -> &'static Divisions {
        static BUILTIN: OnceLock<Divisions> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Divisions::parse(DATA).unwrap_or_else(|e| panic!("data/divisions.tsv: {e}"))
        })
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// All divisions in code order (each followed by its descendants).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Division> {
        self.items.iter()
    }

    /// Looks up a code; `33` and `3304` are accepted for `330000` and `330400`,
    /// and 12-digit statistical town codes ending in `000` for their 9-digit form.
    pub fn get(&self, code: &str) -> Option<&Division> {
        self.index_of(code).map(|i| &self.items[i])
    }

    /// Names from the province down, leaving out placeholder ancestors such as 市辖区.
    pub fn full_name(&self, code: &str) -> Option<String> {
        let i = self.index_of(code)?;
        let chain: Vec<usize> = self.ancestors(i).collect();
        let mut out = String::new();
        for &j in chain.iter().rev() {
            let name = self.items[j].name;
            if j == i || !PLACEHOLDER_NAMES.contains(&name) {
                out.push_str(name);
            }
        }
        Some(out)
    }

    /// The county of a town, a county itself, else `None`; a city without counties
    /// (东莞, 中山, 儋州) stands in for the county of its towns.
    pub fn county_of(&self, code: &str) -> Option<&Division> {
        let i = self.index_of(code)?;
        let county = match self.items[i].level {
            Level::Town => self.parents[i] as usize,
            _ if self.acts_as_county(i) => i,
            _ => return None,
        };
        Some(&self.items[county])
    }

    /// The lowest division above both codes, skipping placeholders such as 市辖区; `None` when
    /// they lie in different provinces (the common superior is then the national level).
    pub fn common_superior(&self, a: &str, b: &str) -> Option<&Division> {
        let (a, b) = (self.index_of(a)?, self.index_of(b)?);
        let above_b: Vec<usize> = self.ancestors(b).skip(1).collect();
        self.ancestors(a)
            .skip(1)
            .find(|i| above_b.contains(i) && !PLACEHOLDER_NAMES.contains(&self.items[*i].name))
            .map(|i| &self.items[i])
    }

    /// Direct children in code order.
    pub fn children(&self, code: &str) -> Vec<&Division> {
        self.index_of(code).map_or_else(Vec::new, |i| {
            self.child_indices(i)
                .iter()
                .map(|&c| &self.items[c as usize])
                .collect()
        })
    }

    /// Divisions whose name contains `query`: exact (name or short form) matches first,
    /// then prefix, then substring; within each, larger divisions before smaller, then by code.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Division> {
        let query = query.trim();
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut hits: Vec<(u8, Level, usize)> = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let rank = if d.name.starts_with(query) {
                    if d.name == query || short_forms(d.name).contains(&query) {
                        0
                    } else {
                        1
                    }
                } else if d.name.contains(query) {
                    2
                } else {
                    return None;
                };
                Some((rank, d.level, i))
            })
            .collect();
        hits.sort_unstable();
        hits.into_iter()
            .take(limit)
            .map(|(_, _, i)| &self.items[i])
            .collect()
    }

    /// Resolves free address text (e.g. "嘉善西塘南大街8号") to a town.
    ///
    /// Each division named in the text scores how many of its chain (province → itself) the text
    /// names; ties go to top-down order, then the most specific, then the earliest named, since
    /// street names (人民路 is also a 街道) follow the town.
    pub fn resolve_address(&self, text: &str) -> Result<&Division, AddressError> {
        let mentions = self.scan(text);
        let mut candidates: Vec<u32> = mentions
            .iter()
            .flat_map(|m| m.indices.iter().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();

        let mut best: Vec<(usize, usize)> = Vec::new();
        let mut best_score = (0, false);
        for &c in &candidates {
            let mut chain: Vec<u32> = self.ancestors(c as usize).map(|a| a as u32).collect();
            chain.reverse();
            let score = support(&chain, &mentions);
            let own = mentions
                .iter()
                .find(|m| m.indices.binary_search(&c).is_ok())
                .map_or(0, |m| m.pos);
            if score > best_score {
                best_score = score;
                best.clear();
            }
            if score == best_score {
                best.push((c as usize, own));
            }
        }
        if best.is_empty() {
            return Err(AddressError::Unknown);
        }

        let covered: Vec<usize> = best
            .iter()
            .flat_map(|&(c, _)| self.ancestors(c).skip(1))
            .collect();
        best.retain(|(c, _)| !covered.contains(c));
        let earliest = best.iter().map(|&(_, own)| own).min().unwrap_or(0);
        best.retain(|&(_, own)| own == earliest);

        if let [(i, _)] = best[..] {
            let d = &self.items[i];
            return match d.level {
                Level::Town => Ok(d),
                _ if self.acts_as_county(i) => Err(AddressError::CountyOnly {
                    county_code: d.code.to_owned(),
                }),
                _ => Err(AddressError::Ambiguous {
                    candidates: vec![d.code.to_owned()],
                }),
            };
        }
        best.sort_unstable_by_key(|&(i, _)| (Reverse(self.items[i].level), i));
        Err(AddressError::Ambiguous {
            candidates: best
                .iter()
                .take(MAX_CANDIDATES)
                .map(|&(i, _)| self.items[i].code.to_owned())
                .collect(),
        })
    }

    fn parse(text: &'static str) -> Result<Self, String> {
        let mut items = Vec::with_capacity(text.len() / 32);
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let (Some(code), Some(name), Some(level), Some(parent), None) = (
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
                fields.next(),
            ) else {
                return Err(format!("line {}: expected 4 tab-separated fields", n + 1));
            };
            let level = Level::parse(level)
                .ok_or_else(|| format!("line {}: bad level {level:?}", n + 1))?;
            if !matches!(code.len(), 6 | 9) || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("line {}: bad code {code:?}", n + 1));
            }
            if name.is_empty() {
                return Err(format!("line {}: empty name", n + 1));
            }
            items.push(Division {
                code,
                name,
                level,
                parent_code: (!parent.is_empty()).then_some(parent),
            });
        }
        // The generator already sorts; sorting again keeps a hand-edited file searchable.
        items.sort_unstable_by(|a, b| a.code.cmp(b.code));
        if let Some(w) = items.windows(2).find(|w| w[0].code == w[1].code) {
            return Err(format!("duplicate code {}", w[0].code));
        }

        let mut parents = Vec::with_capacity(items.len());
        for d in &items {
            let parent = match (d.parent_code, d.level) {
                (None, Level::Province) => NO_PARENT,
                (None, _) => return Err(format!("{} has no parent", d.code)),
                (Some(pc), _) => {
                    let p = items
                        .binary_search_by(|x| x.code.cmp(pc))
                        .map_err(|_| format!("{}: parent {pc} not found", d.code))?;
                    if items[p].level >= d.level {
                        return Err(format!("{}: parent {pc} is not a larger division", d.code));
                    }
                    p as u32
                }
            };
            parents.push(parent);
        }

        let mut children: Vec<u32> = (0..items.len() as u32)
            .filter(|&i| parents[i as usize] != NO_PARENT)
            .collect();
        // Stable, so siblings stay in code order.
        children.sort_by_key(|&i| parents[i as usize]);
        let mut child_ranges = vec![(0, 0); items.len()];
        let mut start = 0;
        for group in children.chunk_by(|&a, &b| parents[a as usize] == parents[b as usize]) {
            let end = start + group.len() as u32;
            child_ranges[parents[group[0] as usize] as usize] = (start, end);
            start = end;
        }

        let mut pairs: Vec<(&'static str, u32)> = Vec::with_capacity(items.len() * 2);
        for (i, d) in items.iter().enumerate() {
            if PLACEHOLDER_NAMES.contains(&d.name) {
                continue;
            }
            for form in std::iter::once(d.name).chain(short_forms(d.name)) {
                if form.chars().nth(1).is_some() {
                    pairs.push((form, i as u32));
                }
            }
        }
        // Counting pass then filling pass: cheaper than sorting the pairs, notably in debug builds.
        let mut names: HashMap<&'static str, (u32, u32)> = HashMap::with_capacity(pairs.len());
        for &(name, _) in &pairs {
            names.entry(name).or_default().1 += 1;
        }
        let mut next = 0;
        for range in names.values_mut() {
            let count = range.1;
            *range = (next, next);
            next += count;
        }
        let mut postings = vec![0; pairs.len()];
        for &(name, i) in &pairs {
            let range = names.get_mut(name).expect("counted above");
            postings[range.1 as usize] = i;
            range.1 += 1;
        }
        let mut name_lengths: HashMap<char, u64> = HashMap::new();
        for name in names.keys() {
            let len = name.chars().count();
            if let (Some(first), true) = (name.chars().next(), len < 64) {
                *name_lengths.entry(first).or_default() |= 1 << len;
            }
        }
        names.shrink_to_fit();
        name_lengths.shrink_to_fit();

        Ok(Divisions {
            items,
            parents,
            child_ranges,
            children,
            names,
            postings,
            name_lengths,
        })
    }

    fn index_of(&self, code: &str) -> Option<usize> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut padded = [b'0'; 6];
        let (key, level) = match code.len() {
            2 | 4 => {
                padded[..code.len()].copy_from_slice(code.as_bytes());
                let level = if code.len() == 2 {
                    Level::Province
                } else {
                    Level::City
                };
                (std::str::from_utf8(&padded).ok()?, Some(level))
            }
            6 | 9 => (code, None),
            12 if code.ends_with("000") => (&code[..9], Some(Level::Town)),
            _ => return None,
        };
        let i = self.items.binary_search_by(|d| d.code.cmp(key)).ok()?;
        level.is_none_or(|l| self.items[i].level == l).then_some(i)
    }

    /// The division itself, then its parent, up to the province.
    fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> {
        std::iter::successors(Some(i), |&j| {
            let p = self.parents[j];
            (p != NO_PARENT).then_some(p as usize)
        })
    }

    fn child_indices(&self, i: usize) -> &[u32] {
        let (start, end) = self.child_ranges[i];
        &self.children[start as usize..end as usize]
    }

    fn acts_as_county(&self, i: usize) -> bool {
        match self.items[i].level {
            Level::County => true,
            Level::City => self
                .child_indices(i)
                .first()
                .is_some_and(|&c| self.items[c as usize].level == Level::Town),
            _ => false,
        }
    }

    /// Splits text into known names covering the most chars, then fewest names: 三门|海游, not 三门海|游.
    fn scan(&self, text: &str) -> Vec<Mention<'_>> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let n = chars.len();
        let byte_at = |k: usize| chars.get(k).map_or(text.len(), |&(b, _)| b);
        let mut matches: Vec<Vec<(usize, Cow<'_, [u32]>)>> = (0..n).map(|_| Vec::new()).collect();
        for (k, &(start, c)) in chars.iter().enumerate().rev() {
            let remaining = n - k;
            let fits = if remaining >= 63 {
                u64::MAX
            } else {
                (1u64 << (remaining + 1)) - 1
            };
            let mut lengths = self.name_lengths.get(&c).copied().unwrap_or(0) & fits;
            while lengths != 0 {
                let len = 63 - lengths.leading_zeros() as usize;
                lengths &= !(1 << len);
                let key = &text[start..byte_at(k + len)];
                let next_is_name = matches.get(k + len).is_some_and(|m| !m.is_empty());
                if let Some(indices) = self.lookup(key, &text[byte_at(k + len)..], next_is_name) {
                    matches[k].push((len, indices));
                }
            }
        }

        // best[k] = (characters covered, names used) for the best split of chars[k..].
        let mut best = vec![(0usize, 0usize); n + 1];
        let mut choice = vec![None; n];
        for k in (0..n).rev() {
            let mut pick = None;
            let mut score = best[k + 1];
            for (m, (len, _)) in matches[k].iter().enumerate() {
                let (covered, used) = best[k + len];
                let candidate = (covered + len, used + 1);
                let better =
                    candidate.0 > score.0 || (candidate.0 == score.0 && candidate.1 < score.1);
                if better || (pick.is_none() && candidate.0 == score.0 && candidate.1 == score.1) {
                    pick = Some(m);
                    score = candidate;
                }
            }
            best[k] = score;
            choice[k] = pick;
        }

        let mut mentions = Vec::new();
        let mut k = 0;
        while k < n && mentions.len() < MAX_MENTIONS {
            match choice[k] {
                Some(m) => {
                    let (len, indices) = matches[k].swap_remove(m);
                    mentions.push(Mention { pos: k, indices });
                    k += len;
                }
                None => k += 1,
            }
        }
        mentions
    }

    /// Divisions named `key`, minus those a following suffix rules out, unless it starts a name.
    fn lookup(&self, key: &str, after: &str, next_is_name: bool) -> Option<Cow<'_, [u32]>> {
        let &(s, e) = self.names.get(key)?;
        let indices = &self.postings[s as usize..e as usize];
        // In "火星市" the 市 rules out 火星街道, whose short form 火星 would otherwise match.
        let suffix = longest_prefix(after, SUFFIXES).filter(|_| !next_is_name);
        let Some(suffix) = suffix else {
            return Some(Cow::Borrowed(indices));
        };
        let kept: Vec<u32> = indices
            .iter()
            .copied()
            .filter(|&i| {
                let d = &self.items[i as usize];
                d.name == key || suffix_fits(suffix, d.level)
            })
            .collect();
        match kept.len() {
            0 => None,
            n if n == indices.len() => Some(Cow::Borrowed(indices)),
            _ => Some(Cow::Owned(kept)),
        }
    }

    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        // hashbrown stores one control byte per bucket next to each entry.
        self.items.capacity() * size_of::<Division>()
            + self.parents.capacity() * size_of::<u32>()
            + self.child_ranges.capacity() * size_of::<(u32, u32)>()
            + self.children.capacity() * size_of::<u32>()
            + self.postings.capacity() * size_of::<u32>()
            + self.names.capacity() * (size_of::<(&str, (u32, u32))>() + 1) * 8 / 7
            + self.name_lengths.capacity() * (size_of::<(char, u64)>() + 1) * 8 / 7
    }
}

/// Chain members matched to distinct mentions (丰台 counts once), and whether in top-down order.
fn support(chain: &[u32], mentions: &[Mention<'_>]) -> (usize, bool) {
    fn augment(
        member: usize,
        chain: &[u32],
        mentions: &[Mention<'_>],
        owner: &mut [usize],
        seen: &mut u64,
    ) -> bool {
        for (m, mention) in mentions.iter().enumerate() {
            if *seen & (1 << m) != 0 || mention.indices.binary_search(&chain[member]).is_err() {
                continue;
            }
            *seen |= 1 << m;
            if owner[m] == usize::MAX || augment(owner[m], chain, mentions, owner, seen) {
                owner[m] = member;
                return true;
            }
        }
        false
    }
    let mut owner = [usize::MAX; MAX_MENTIONS];
    let matched = (0..chain.len())
        .filter(|&member| augment(member, chain, mentions, &mut owner, &mut 0))
        .count();
    let mut in_text_order = owner[..mentions.len()].iter().filter(|&&m| m != usize::MAX);
    let ordered = in_text_order.next().is_none_or(|&first| {
        in_text_order
            .try_fold(first, |prev, &m| (m > prev).then_some(m))
            .is_some()
    });
    (matched, ordered)
}

#[cfg(test)]
mod tests;
