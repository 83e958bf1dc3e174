import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { datasetDisplayName } from '../../datasetScan/displayName';
import { scanDataset } from '../../datasetScan/scanDataset';
import type { DatasetSummary } from '../../datasetScan/datasetSummary';
import { findSplitFolders } from '../../datasetScan/splitFolders';
import { combineSplits, type SplitDatasetSummary } from '../../datasetScan/splitSummary';
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

/** The user pressed the Back button: the wizard returns to the step before. */
const BACK = Symbol('back');
type Answer<T> = T | typeof BACK | undefined;

/** Where a question stands in the wizard: "step/totalSteps" in the title, Back from step 2 on. */
interface Position {
  step: number;
  totalSteps: number;
}

/** What a step shows, for tests (through the extension's API) and nothing else. */
export interface WizardStepShown {
  title: string | undefined;
  step: number | undefined;
  totalSteps: number | undefined;
  back: boolean;
  /** The highlighted (single pick), selected (multi pick) items' labels, or the input box's value. */
  answer: string[];
}
const stepShown = new vscode.EventEmitter<WizardStepShown>();
export const onDidShowWizardStep = stepShown.event;

function placeAt(input: vscode.QuickInput & { buttons: readonly vscode.QuickInputButton[] }, position: Position | undefined): void {
  input.title = TITLE;
  if (!position) return;
  input.step = position.step;
  input.totalSteps = position.totalSteps;
  if (position.step > 1) input.buttons = [vscode.QuickInputButtons.Back];
}

function announce(input: vscode.QuickInput & { buttons: readonly vscode.QuickInputButton[] }, answer: string[]): void {
  stepShown.fire({ title: input.title, step: input.step, totalSteps: input.totalSteps, back: input.buttons.includes(vscode.QuickInputButtons.Back), answer });
}

/** One item from a list, with `active` highlighted; undefined when the user escapes, BACK on Back. */
function pickOne<T>(placeholder: string, choices: Choice<T>[], active?: T, position?: Position): Promise<Answer<T>> {
  const picker = vscode.window.createQuickPick<Choice<T>>();
  placeAt(picker, position);
  picker.placeholder = placeholder;
  picker.items = choices;
  picker.matchOnDescription = true;
  const highlighted = choices.find((choice) => choice.value === active);
  if (highlighted) picker.activeItems = [highlighted];
  return new Promise<Answer<T>>((resolve) => {
    picker.onDidTriggerButton((button) => {
      if (button !== vscode.QuickInputButtons.Back) return;
      resolve(BACK);
      picker.hide();
    });
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
    announce(
      picker,
      picker.activeItems.map((item) => item.label),
    );
  });
}

async function browseFolder(openLabel: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel, title: TITLE });
  return picked?.[0]?.fsPath;
}

const BROWSE = Symbol('browse');

async function askRoot(roots: DatasetRoots, previous: string | undefined, position: Position): Promise<Answer<string>> {
  const known = await roots.list();
  if (previous && !known.includes(previous)) known.push(previous);
  const choice = await pickOne<string | typeof BROWSE>(
    'Dataset root (its subfolders, list files or IDX files are the domains)',
    [
      ...known.map((root) => ({ label: datasetDisplayName(root), description: root, value: root })),
      { label: '$(folder-opened) Browse…', description: 'another folder', value: BROWSE },
    ],
    previous,
    position,
  );
  return choice === BROWSE ? browseFolder('Use as Dataset Root') : choice;
}

/** The Datasets view's last scan of a folder when it has one, else a scan now (with progress). */
async function scanOf(folder: string, store: DatasetStore): Promise<DatasetSummary> {
  const known = store.get(folder);
  if (known?.summary && !known.scanning) return known.summary;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Reading ${datasetDisplayName(folder)}` }, () =>
    scanDataset(folder, { samplesPerClass: 0 }),
  );
}

/**
 * The domains a root offers: its own, or for a root with its own train/ and test/ folders the
 * domains those share (as the Datasets view shows it), which the file then reads with
 * `split.kind: "folders"` rather than offering "train" and "test" as domains.
 */
async function summaryOf(root: string, store: DatasetStore): Promise<DatasetSummary | SplitDatasetSummary> {
  const folders = await findSplitFolders(root);
  if (!folders) return scanOf(root, store);
  const [train, test] = await Promise.all([scanOf(folders.train, store), scanOf(folders.test, store)]);
  return combineSplits(root, train, test);
}

function domainDescription(summary: DatasetSummary, name: string): string {
  const domain = summary.domains.find((candidate) => candidate.name === name);
  return domain ? `${domain.count.toLocaleString('en-US')} images · ${domain.classes.length} classes` : '';
}

/** Every domain but the source, those of `previous` selected (all when none of them is offered). */
function askTargets(summary: DatasetSummary, source: string, previous: readonly string[] | undefined, position: Position): Promise<Answer<string[]>> {
  const picker = vscode.window.createQuickPick();
  placeAt(picker, position);
  picker.placeholder = 'Target domains (unlabelled; adapted to)';
  picker.canSelectMany = true;
  picker.items = summary.domains
    .filter((domain) => domain.name !== source)
    .map((domain) => ({ label: domain.name, description: domainDescription(summary, domain.name) }));
  const kept = picker.items.filter((item) => previous?.includes(item.label));
  picker.selectedItems = kept.length > 0 ? kept : picker.items;
  return new Promise<Answer<string[]>>((resolve) => {
    picker.onDidTriggerButton((button) => {
      if (button !== vscode.QuickInputButtons.Back) return;
      resolve(BACK);
      picker.hide();
    });
    picker.onDidAccept(() => {
      if (picker.selectedItems.length === 0) {
        picker.placeholder = 'Pick at least one target domain';
        return;
      }
      resolve(picker.selectedItems.map((item) => item.label));
      picker.hide();
    });
    picker.onDidHide(() => {
      resolve(undefined);
      picker.dispose();
    });
    picker.show();
    announce(
      picker,
      picker.selectedItems.map((item) => item.label),
    );
  });
}

/** The architecture, and for a saved model its model.json (absolute), from a file dialog. */
async function askModel(role: 'student' | 'teacher', preferred: Architecture, position: Position): Promise<Answer<ModelChoice>> {
  const architecture = await pickOne(
    role === 'student' ? 'Student architecture (the compact model that is deployed)' : 'Teacher architecture (the large model that is adapted, then distilled)',
    ARCHITECTURES.map((candidate) => ({ label: candidate, description: architectureSummary(candidate), value: candidate })),
    preferred,
    position,
  );
  if (architecture === BACK) return BACK;
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

async function askFolder(previous: string | undefined, position: Position): Promise<Answer<string>> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return browseFolder('Save Experiment Here');
  const choices = folders.map((folder) => ({
    label: `$(root-folder) ${folder.name}`,
    description: folder.uri.fsPath,
    value: folder.uri.fsPath,
  }));
  if (previous && !choices.some((choice) => choice.value === previous))
    choices.push({ label: `$(folder) ${path.basename(previous)}`, description: previous, value: previous });
  const choice = await pickOne<string | typeof BROWSE>(
    'Folder to save the experiment file in',
    [...choices, { label: '$(folder-opened) Browse…', description: 'another folder', value: BROWSE }],
    previous,
    position,
  );
  return choice === BROWSE ? browseFolder('Save Experiment Here') : choice;
}

const fileFor = (folder: string, name: string): string => path.join(folder, `${name}${EXPERIMENT_FILE_SUFFIX}`);

function askName(folder: string, value: string, position: Position): Promise<Answer<string>> {
  const input = vscode.window.createInputBox();
  placeAt(input, position);
  input.prompt = `Experiment name: runs are named <date>-<name>; the file is <name>${EXPERIMENT_FILE_SUFFIX} in ${folder}`;
  input.value = value;
  const problemOf = (text: string): string | undefined => experimentNameProblem(text.trim());
  const check = (text: string) => {
    const problem = problemOf(text);
    input.validationMessage = problem
      ? problem
      : existsSync(fileFor(folder, text.trim()))
        ? {
            message: `${text.trim()}${EXPERIMENT_FILE_SUFFIX} exists; you will be asked before it is replaced`,
            severity: vscode.InputBoxValidationSeverity.Warning,
          }
        : undefined;
  };
  check(value);
  return new Promise<Answer<string>>((resolve) => {
    input.onDidChangeValue(check);
    input.onDidTriggerButton((button) => {
      if (button !== vscode.QuickInputButtons.Back) return;
      resolve(BACK);
      input.hide();
    });
    input.onDidAccept(() => {
      if (problemOf(input.value)) return;
      resolve(input.value);
      input.hide();
    });
    input.onDidHide(() => {
      resolve(undefined);
      input.dispose();
    });
    input.show();
    announce(input, [input.value]);
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
 * name, then a `*.kdexp.json` that the schema validates, opened in an editor. Each step shows
 * "n/N" (N counts the questions this run asks, one fewer once the method needs no teacher) and,
 * from the second on, Back, which returns with the earlier answer selected. Escape at any step
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

/** The wizard's questions, in order; a step whose answer was given up front is not asked. */
const STEPS = ['root', 'source', 'targets', 'method', 'student', 'teacher', 'folder', 'name'] as const;
type StepName = (typeof STEPS)[number];

interface WizardState {
  root?: string;
  summary?: DatasetSummary | SplitDatasetSummary;
  source?: string;
  targets?: string[];
  method?: MethodName;
  student?: ModelChoice;
  teacher?: ModelChoice;
  folder?: string;
  name?: string;
}

function cannotHold(root: string, summary: DatasetSummary): string | undefined {
  if (summary.domains.length >= 2) return undefined;
  const why = summary.issues[0]?.message ?? `it has ${summary.domains.length} domain${summary.domains.length === 1 ? '' : 's'}`;
  return `${root} cannot hold an experiment: it needs a source and at least one target domain, and ${why}`;
}

function unknownDomainsReason(root: string, summary: DatasetSummary, source: string, targets: readonly string[]): string | undefined {
  const unknownDomains = [source, ...targets].filter((domain) => !summary.domains.some((candidate) => candidate.name === domain));
  if (unknownDomains.length === 0) return undefined;
  return `${root} has no domain ${unknownDomains.map((domain) => `"${domain}"`).join(', ')}; its domains: ${summary.domains.map((domain) => domain.name).join(', ')}`;
}

function failed(reason: string): NewExperimentResult {
  void vscode.window.showErrorMessage(`KD-UDA: ${reason}`);
  return { created: false, reason };
}

async function createExperiment(roots: DatasetRoots, store: DatasetStore, answers: NewExperimentAnswers): Promise<NewExperimentResult> {
  const state: WizardState = {
    root: answers.root,
    source: answers.source,
    targets: answers.targets,
    method: answers.method,
    student: answers.student && { architecture: answers.student },
    teacher: answers.teacher && { architecture: answers.teacher },
    folder: answers.folder,
    name: answers.name,
  };
  const asked = STEPS.filter((step) => state[step] === undefined);
  // Until the method is chosen, the teacher counts: both methods the wizard recommends train one.
  const applies = (step: StepName) => step !== 'teacher' || METHOD_INFO[state.method ?? 'kd-stda'].usesTeacher;
  /** Before asking `step` (and once all are answered): what the answers so far rule out. */
  const problemBefore = async (step: StepName | undefined): Promise<string | undefined> => {
    const at = step === undefined ? STEPS.length : STEPS.indexOf(step);
    if (at <= STEPS.indexOf('root') || !state.root) return undefined;
    state.summary ??= await summaryOf(state.root, store);
    const problem = cannotHold(state.root, state.summary);
    if (problem || at <= STEPS.indexOf('targets') || !state.source || !state.targets) return problem;
    return unknownDomainsReason(state.root, state.summary, state.source, state.targets);
  };

  let index = 0;
  while (index < asked.length) {
    const step = asked[index];
    if (!applies(step)) {
      index += 1;
      continue;
    }
    const problem = await problemBefore(step);
    if (problem) return failed(problem);
    const applicable = asked.filter(applies);
    const position = { step: applicable.indexOf(step) + 1, totalSteps: applicable.length };
    const answer = await ask(step, position);
    if (answer === undefined) return CANCELLED;
    if (answer === BACK) {
      do index -= 1;
      while (index > 0 && !applies(asked[index]));
      index = Math.max(index, 0);
      continue;
    }
    index += 1;
  }
  const problem = await problemBefore(undefined);
  if (problem) return failed(problem);

  /** Asks `step`, keeping its earlier answer as the default; BACK, undefined (escaped) or 'answered'. */
  async function ask(step: StepName, position: Position): Promise<Answer<'answered'>> {
    const answered = <T>(value: Answer<T>, keep: (value: T) => void): Answer<'answered'> => {
      if (value === undefined) return undefined;
      if (value === BACK) return BACK;
      keep(value);
      return 'answered';
    };
    const summary = state.summary;
    switch (step) {
      case 'root':
        return answered(await askRoot(roots, state.root, position), (root) => {
          if (root !== state.root) state.summary = undefined;
          state.root = root;
        });
      case 'source':
        return answered(
          await pickOne(
            'Source domain (labelled; trained on)',
            summary!.domains.map((domain) => ({ label: domain.name, description: domainDescription(summary!, domain.name), value: domain.name })),
            state.source,
            position,
          ),
          (source) => (state.source = source),
        );
      case 'targets':
        return answered(await askTargets(summary!, state.source!, state.targets, position), (targets) => (state.targets = targets));
      case 'method': {
        const targets = state.targets!;
        return answered(
          await pickOne(
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
            state.method && !methodUnavailableReason(state.method, targets.length) ? state.method : recommendedMethod(targets.length),
            position,
          ),
          (method) => (state.method = method),
        );
      }
      case 'student':
        return answered(await askModel('student', state.student?.architecture ?? DEFAULT_STUDENT, position), (student) => (state.student = student));
      case 'teacher':
        return answered(await askModel('teacher', state.teacher?.architecture ?? DEFAULT_TEACHER, position), (teacher) => (state.teacher = teacher));
      case 'folder':
        return answered(await askFolder(state.folder, position), (folder) => (state.folder = folder));
      case 'name': {
        const folder = state.folder!;
        const suggestion =
          state.name ?? suggestExperimentName(state.source!, state.targets!, state.method!, (candidate) => existsSync(fileFor(folder, candidate)));
        return answered(await askName(folder, suggestion, position), (name) => (state.name = name));
      }
    }
  }

  const { root, summary, source, targets, method, student, folder } = state as Required<WizardState>;
  const teacher = METHOD_INFO[method].usesTeacher ? state.teacher : undefined;
  const name = state.name!.trim();
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
    splitFolders: 'testFolder' in summary,
    method,
    student: inFile(student),
    teacher: teacher && inFile(teacher),
  });
  const uri = vscode.Uri.file(file);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  await vscode.window.showTextDocument(uri);
  return { created: true, file };
}
