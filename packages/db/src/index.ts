// @distillery/db: public API.
export {};
