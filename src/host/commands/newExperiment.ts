import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { datasetDisplayName } from '../../datasetScan/displayName';
import { scanDataset } from '../../datasetScan/scanDataset';
import type { DatasetSummary } from '../../datasetScan/datasetSummary';
import type { Architecture, MethodName } from '../../experiment/experiment';
import {
  architectureSummary,
  ARCHITECTURES,
  buildExperimentFile,
  DEFAULT_STUDENT,
  DEFAULT_TEACHER,
  EXPERIMENT_FILE_SUFFIX,
  experimentNameProblem,
  METHOD_INFO,
  methodUnavailableReason,
  METHODS,
  type ModelChoice,
  needsModelFile,
  pathForFile,
  recommendedMethod,
  suggestExperimentName,
} from '../../experiment/experimentDraft';
import type { DatasetRoots } from '../datasetsView/datasetRoots';
import type { DatasetNode } from '../datasetsView/datasetTreeProvider';
import type { DatasetStore } from '../datasetsView/datasetStore';

/**
 * Answers given up front (a Datasets view node, another command, a test) are used without asking;
 * the rest are asked. `root` and `folder` are absolute paths.
 */
export interface NewExperimentAnswers {
  root?: string;
  source?: string;
  targets?: string[];
  method?: MethodName;
  student?: Architecture;
  teacher?: Architecture;
  folder?: string;
  name?: string;
}

export type NewExperimentResult = { created: true; file: string } | { created: false; reason: string };

const TITLE = 'KD-UDA: New Experiment';
const CANCELLED: NewExperimentResult = { created: false, reason: 'cancelled' };

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
  /** Why this item cannot be chosen now: accepting it keeps the picker open and says so. */
  unavailable?: string;
}

/** One item from a list, with `active` highlighted; undefined when the user escapes. */
function pickOne<T>(placeholder: string, choices: Choice<T>[], active?: T): Promise<T | undefined> {
  const picker = vscode.window.createQuickPick<Choice<T>>();
  picker.title = TITLE;
  picker.placeholder = placeholder;
  picker.items = choices;
  picker.matchOnDescription = true;
  const highlighted = choices.find((choice) => choice.value === active);
  if (highlighted) picker.activeItems = [highlighted];
  return new Promise((resolve) => {
    picker.onDidAccept(() => {
      const [chosen] = picker.activeItems;
      if (!chosen) return;
      if (chosen.unavailable) {
        picker.placeholder = `${chosen.label} is not available: ${chosen.unavailable}`;
        return;
      }
      resolve(chosen.value);
      picker.hide();
    });
    picker.onDidHide(() => {
      resolve(undefined);
      picker.dispose();
    });
    picker.show();
  });
}

async function browseFolder(openLabel: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel, title: TITLE });
  return picked?.[0]?.fsPath;
}

const BROWSE = Symbol('browse');

async function askRoot(roots: DatasetRoots): Promise<string | undefined> {
  const known = await roots.list();
  const choice = await pickOne<string | typeof BROWSE>('Dataset root (its subfolders, list files or IDX files are the domains)', [
    ...known.map((root) => ({ label: datasetDisplayName(root), description: root, value: root })),
    { label: '$(folder-opened) Browse…', description: 'another folder', value: BROWSE },
  ]);
  return choice === BROWSE ? browseFolder('Use as Dataset Root') : choice;
}

/** The Datasets view's last scan of the root when it has one, else a scan now (with progress). */
async function summaryOf(root: string, store: DatasetStore): Promise<DatasetSummary> {
  const known = store.get(root);
  if (known?.summary && !known.scanning) return known.summary;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading ${datasetDisplayName(root)}` }, () =>
    scanDataset(root, { samplesPerClass: 0 }),
  );
}

function domainDescription(summary: DatasetSummary, name: string): string {
  const domain = summary.domains.find((candidate) => candidate.name === name);
  return domain ? `${domain.count.toLocaleString('en-US')} images · ${domain.classes.length} classes` : '';
}

async function askTargets(summary: DatasetSummary, source: string): Promise<string[] | undefined> {
  let placeHolder = 'Target domains (unlabelled; adapted to)';
  for (;;) {
    const picked = await vscode.window.showQuickPick(
      summary.domains
        .filter((domain) => domain.name !== source)
        .map((domain) => ({ label: domain.name, description: domainDescription(summary, domain.name), picked: true })),
      { title: TITLE, placeHolder, canPickMany: true },
    );
    if (!picked) return undefined;
    if (picked.length > 0) return picked.map((item) => item.label);
    placeHolder = 'Pick at least one target domain';
  }
}

/** The architecture, and for a saved model its model.json (absolute), from a file dialog. */
async function askModel(role: 'student' | 'teacher', preferred: Architecture): Promise<ModelChoice | undefined> {
  const architecture = await pickOne(
    role === 'student' ? 'Student architecture (the compact model that is deployed)' : 'Teacher architecture (the large model that is adapted, then distilled)',
    ARCHITECTURES.map((candidate) => ({ label: candidate, description: architectureSummary(candidate), value: candidate })),
    preferred,
  );
  if (!architecture || !needsModelFile(architecture)) return architecture && { architecture };
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    filters: { 'tfjs layers model': ['json'] },
    openLabel: `Use as the ${role}`,
    title: `${TITLE}: the ${role}'s model.json (tfjs layers model, weight files beside it)`,
  });
  return picked?.[0] && { architecture, path: picked[0].fsPath };
}

async function askFolder(): Promise<string | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return browseFolder('Save Experiment Here');
  const choice = await pickOne<string | typeof BROWSE>('Folder to save the experiment file in', [
    ...folders.map((folder) => ({ label: `$(root-folder) ${folder.name}`, description: folder.uri.fsPath, value: folder.uri.fsPath })),
    { label: '$(folder-opened) Browse…', description: 'another folder', value: BROWSE },
  ]);
  return choice === BROWSE ? browseFolder('Save Experiment Here') : choice;
}

const fileFor = (folder: string, name: string): string => path.join(folder, `${name}${EXPERIMENT_FILE_SUFFIX}`);

function askName(folder: string, suggestion: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: TITLE,
    prompt: `Experiment name: runs are named <date>-<name>; the file is <name>${EXPERIMENT_FILE_SUFFIX} in ${folder}`,
    value: suggestion,
    validateInput: (value) => {
      const problem = experimentNameProblem(value.trim());
      if (problem) return problem;
      if (existsSync(fileFor(folder, value.trim())))
        return {
          message: `${value.trim()}${EXPERIMENT_FILE_SUFFIX} exists; you will be asked before it is replaced`,
          severity: vscode.InputBoxValidationSeverity.Warning,
        };
      return undefined;
    },
  });
}

async function confirmReplace(file: string): Promise<boolean> {
  const replace = await pickOne(`${path.basename(file)} already exists in ${path.dirname(file)}`, [
    { label: '$(close) Keep the existing file', description: 'write nothing', value: false },
    { label: '$(replace) Replace it', description: 'its content is lost', value: true },
  ]);
  return replace === true;
}

/** From the Datasets view: the node's root, and its domain as the source when it is (in) a domain. */
function answersFrom(target: NewExperimentAnswers | DatasetNode | undefined): NewExperimentAnswers {
  if (target && 'kind' in target) return target.kind === 'root' ? { root: target.root } : { root: target.root, source: target.domain };
  return target ?? {};
}

/**
 * KD-UDA: New Experiment… — dataset root, source, targets, method, student and teacher, folder and
 * name, then a `*.kdexp.json` that the schema validates, opened in an editor. Escape at any step
 * writes nothing; an existing file is replaced only when the user says so.
 */
export function newExperimentCommand(roots: DatasetRoots, store: DatasetStore) {
  return async (target?: NewExperimentAnswers | DatasetNode): Promise<NewExperimentResult> => {
    try {
      return await createExperiment(roots, store, answersFrom(target));
    } catch (error) {
      // A root that vanished mid-way, a folder that cannot be written: said plainly, nothing half-written.
      const reason = `could not create the experiment: ${error instanceof Error ? error.message : String(error)}`;
      void vscode.window.showErrorMessage(`KD-UDA: ${reason}`);
      return { created: false, reason };
    }
  };
}

async function createExperiment(roots: DatasetRoots, store: DatasetStore, answers: NewExperimentAnswers): Promise<NewExperimentResult> {
  const root = answers.root ?? (await askRoot(roots));
  if (!root) return CANCELLED;
  const summary = await summaryOf(root, store);
  if (summary.domains.length < 2) {
    const why = summary.issues[0]?.message ?? `it has ${summary.domains.length} domain${summary.domains.length === 1 ? '' : 's'}`;
    const reason = `${root} cannot hold an experiment: it needs a source and at least one target domain, and ${why}`;
    void vscode.window.showErrorMessage(`KD-UDA: ${reason}`);
    return { created: false, reason };
  }
  const source =
    answers.source ??
    (await pickOne(
      'Source domain (labelled; trained on)',
      summary.domains.map((domain) => ({ label: domain.name, description: domainDescription(summary, domain.name), value: domain.name })),
    ));
  if (!source) return CANCELLED;
  const targets = answers.targets ?? (await askTargets(summary, source));
  if (!targets) return CANCELLED;
  const unknownDomains = [source, ...targets].filter((domain) => !summary.domains.some((candidate) => candidate.name === domain));
  if (unknownDomains.length > 0) {
    const reason = `${root} has no domain ${unknownDomains.map((domain) => `"${domain}"`).join(', ')}; its domains: ${summary.domains.map((domain) => domain.name).join(', ')}`;
    void vscode.window.showErrorMessage(`KD-UDA: ${reason}`);
    return { created: false, reason };
  }
  const method =
    answers.method ??
    (await pickOne(
      `Method (${targets.length} target${targets.length === 1 ? '' : 's'})`,
      METHODS.map((name) => {
        const unavailable = methodUnavailableReason(name, targets.length);
        return {
          label: name,
          description: METHOD_INFO[name].summary,
          detail: unavailable ? `$(circle-slash) Not available: ${unavailable}` : name === 'kd-stda' ? 'Exactly one target domain' : undefined,
          value: name,
          unavailable,
        };
      }),
      recommendedMethod(targets.length),
    ));
  if (!method) return CANCELLED;
  const student = answers.student ? { architecture: answers.student } : await askModel('student', DEFAULT_STUDENT);
  if (!student) return CANCELLED;
  let teacher: ModelChoice | undefined;
  if (METHOD_INFO[method].usesTeacher) {
    teacher = answers.teacher ? { architecture: answers.teacher } : await askModel('teacher', DEFAULT_TEACHER);
    if (!teacher) return CANCELLED;
  }
  const folder = answers.folder ?? (await askFolder());
  if (!folder) return CANCELLED;
  const name = (
    answers.name ??
    (await askName(
      folder,
      suggestExperimentName(source, targets, method, (candidate) => existsSync(fileFor(folder, candidate))),
    ))
  )?.trim();
  if (!name) return CANCELLED;
  const file = fileFor(folder, name);
  if (existsSync(file) && !(await confirmReplace(file))) return { created: false, reason: `${file} exists and was kept` };

  const project = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder))?.uri.fsPath;
  const inFile = (model: ModelChoice): ModelChoice => (model.path ? { ...model, path: pathForFile(model.path, folder, project) } : model);
  const text = buildExperimentFile({
    name,
    root: pathForFile(root, folder, project),
    source,
    targets,
    method,
    student: inFile(student),
    teacher: teacher && inFile(teacher),
  });
  const uri = vscode.Uri.file(file);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(uri);
  return { created: true, file };
}
