export * from "./data/market-day.js";
