// @distillery/eval: public API.
export {};
