/**
 * Bad evaluation input (malformed file, unknown image/category, NaN box...). The message always names
 * the source (file path or a label such as "detections[12]"), where in it, and the problem, so a user
 * can fix the file without a debugger.
 */
export class EvalInputError extends Error {
  readonly source: string;
  readonly where: string | undefined;
  readonly problem: string;

  constructor(source: string, where: string | undefined, problem: string) {
    super(`${source}${where ? `, ${where}` : ''}: ${problem}`);
    this.name = 'EvalInputError';
    this.source = source;
    this.where = where;
    this.problem = problem;
  }
}
