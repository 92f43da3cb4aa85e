import { Module } from './module.ts';

/** `nn.ModuleList` / the top-level `nn.Sequential` of a YOLO model: children '0', '1', …. */
export class ModuleList extends Module {
  constructor(modules: Module[]) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }
}
