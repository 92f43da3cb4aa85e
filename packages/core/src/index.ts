// @distillery/core: public API.
export {};
