export * from './data/node.ts';
export {};
