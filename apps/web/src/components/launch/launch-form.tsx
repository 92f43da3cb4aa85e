'use client';
/**
 * The launch form: pick a preset (one run, or a whole study), edit any field, launch. Validated in
 * the browser with the trainer's own zod schema (field errors under each input), and again on the
 * server by the same schema.
 */
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { RUN_FIELDS, validateForm, valuesFromConfig, type FieldValues } from '~/components/launch/form-state.ts';
import type { FieldSpec } from '~/components/launch/schema-fields.ts';
import { api, type RouterOutputs } from '~/trpc/react.tsx';

type Preset = RouterOutputs['studies']['presets'][number];

export function LaunchForm({ presets, initialPreset }: { presets: Preset[]; initialPreset?: string }) {
  const router = useRouter();
  const first = presets.find((p) => p.name === initialPreset) ?? presets[0];
  const [presetName, setPresetName] = useState(first?.name ?? '');
  const preset = useMemo(() => presets.find((p) => p.name === presetName), [presets, presetName]);
  const [values, setValues] = useState<FieldValues>(() => valuesFromConfig(first?.config ?? {}));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const utils = api.useUtils();

  const onDone = (path: string) => {
    void utils.runs.list.invalidate();
    router.push(path);
  };
  const launchRun = api.runs.launch.useMutation({
    onSuccess: (run) => onDone(`/runs/${run.id}`),
    onError: (e) => {
      setErrors(e.data?.zodError ?? {});
      setServerError(e.message);
    },
  });
  const launchStudy = api.studies.launch.useMutation({
    onSuccess: (study) => onDone(`/runs?study=${encodeURIComponent(study.id)}`),
    onError: (e) => {
      setErrors(e.data?.zodError ?? {});
      setServerError(e.message);
    },
  });

  function choosePreset(name: string) {
    setPresetName(name);
    const p = presets.find((x) => x.name === name);
    setValues(valuesFromConfig(p?.config ?? {}));
    setErrors({});
    setServerError(null);
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setServerError(null);
    const checked = validateForm(values);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    if (preset?.kind === 'study') launchStudy.mutate({ preset: preset.name, base: checked.config });
    else launchRun.mutate({ preset: preset?.name ?? null, config: checked.config });
  }

  const pending = launchRun.isPending || launchStudy.isPending;
  const errorCount = Object.keys(errors).length;
  return (
    <form onSubmit={submit} noValidate aria-label="launch">
      <div className="panel">
        <div className="field">
          <label htmlFor="preset">Preset</label>
          <select id="preset" name="preset" value={presetName} onChange={(e) => choosePreset(e.target.value)}>
            {presets.map((p) => (
              <option key={p.name} value={p.name}>
                {p.kind === 'study' ? 'study: ' : ''}
                {p.title}
              </option>
            ))}
          </select>
          {preset?.description ? <span className="muted">{preset.description}</span> : null}
        </div>
        {preset?.kind === 'study' && preset.stages.length > 0 ? (
          <div>
            <strong>Stages</strong> (each stage starts from its own preset; the fields below replace the fields you change):
            <ol>
              {preset.stages.map((s) => (
                <li key={s.name}>
                  {s.name} <span className="muted">({s.preset}{s.dependsOn.length ? `, after ${s.dependsOn.join(', ')}` : ''})</span>
                </li>
              ))}
            </ol>
          </div>
        ) : null}
      </div>
      <FieldGroup fields={RUN_FIELDS} values={values} errors={errors} onChange={(k, v) => setValues((old) => ({ ...old, [k]: v }))} />
      <div className="toolbar">
        <button type="submit" className="primary" disabled={pending} data-testid="launch-submit">
          {pending ? 'Launching…' : preset?.kind === 'study' ? 'Launch study' : 'Launch run'}
        </button>
        {errorCount > 0 ? (
          <span className="error" role="alert" data-testid="form-errors">
            {errorCount} field{errorCount === 1 ? '' : 's'} need{errorCount === 1 ? 's' : ''} attention
          </span>
        ) : null}
        {serverError && errorCount === 0 ? (
          <span className="error" role="alert">
            {serverError}
          </span>
        ) : null}
      </div>
    </form>
  );
}

function FieldGroup(props: {
  fields: FieldSpec[];
  values: FieldValues;
  errors: Record<string, string[]>;
  onChange: (key: string, value: string | boolean) => void;
  title?: string;
}) {
  const leaves = props.fields.filter((f) => f.kind !== 'group');
  const groups = props.fields.filter((f) => f.kind === 'group');
  return (
    <div className="panel">
      {props.title ? <h2 style={{ marginTop: 0 }}>{props.title}</h2> : null}
      <div className="fields">
        {leaves.map((f) => (
          <Field key={f.path.join('.')} spec={f} {...props} />
        ))}
      </div>
      {groups.map((g) =>
        g.kind === 'group' ? <FieldGroup key={g.path.join('.')} {...props} fields={g.fields} title={g.path.join('.')} /> : null,
      )}
    </div>
  );
}

function Field({ spec, values, errors, onChange }: { spec: FieldSpec; values: FieldValues; errors: Record<string, string[]>; onChange: (key: string, value: string | boolean) => void }) {
  const key = spec.path.join('.');
  const id = `f-${key}`;
  const fieldErrors = errors[key] ?? Object.entries(errors).filter(([k]) => k.startsWith(`${key}.`)).flatMap(([k, v]) => v.map((m) => `${k}: ${m}`));
  const invalid = fieldErrors.length > 0;
  const label = spec.path[spec.path.length - 1];
  const value = values[key];
  const common = { id, name: key, 'aria-invalid': invalid, 'aria-describedby': invalid ? `${id}-error` : undefined };
  let input: React.ReactNode;
  switch (spec.kind) {
    case 'boolean':
      input = <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(key, e.target.checked)} />;
      break;
    case 'enum':
      input = (
        <select {...common} value={typeof value === 'string' ? value : ''} onChange={(e) => onChange(key, e.target.value)}>
          {spec.optional ? <option value="">(none)</option> : null}
          {spec.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'json':
      input = (
        <textarea {...common} rows={2} value={typeof value === 'string' ? value : ''} placeholder={spec.optional ? '(none)' : undefined} onChange={(e) => onChange(key, e.target.value)} />
      );
      break;
    case 'number':
    case 'text':
      input = (
        <input
          type="text"
          inputMode={spec.kind === 'number' ? 'decimal' : undefined}
          {...common}
          value={typeof value === 'string' ? value : ''}
          placeholder={spec.optional ? '(none)' : undefined}
          onChange={(e) => onChange(key, e.target.value)}
        />
      );
      break;
    default:
      input = null;
  }
  return (
    <div className="field" style={spec.kind === 'json' ? { gridColumn: '1 / -1' } : undefined}>
      <label htmlFor={id} title={spec.description}>
        {label}
      </label>
      {input}
      {invalid ? (
        <span className="field-error" id={`${id}-error`} data-testid={`error-${key}`}>
          {fieldErrors.join('; ')}
        </span>
      ) : null}
    </div>
  );
}
