//! xiaobao (消保): consumer-complaint handling and online dispute resolution for China's market
//! regulators. Folders are capabilities; `http`, `db`, `config` and `entities` are shared plumbing.

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod businesses;
pub mod calendar;
pub mod cases;
pub mod cli;
pub mod config;
pub mod db;
pub mod deadlines;
pub mod divisions;
pub mod domain;
pub mod entities;
pub mod env;
pub mod evidence;
pub mod http;
pub mod intake;
pub mod leads;
pub mod mail;
pub mod mediation;
pub mod odr;
pub mod openapi;
pub mod oversight;
pub mod ratings;
pub mod reports;
pub mod routing;
pub mod startup;
pub mod state;
pub mod urgent;
pub mod web;
pub mod workers;
