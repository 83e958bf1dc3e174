/** Teachers first, then the student, then anything else (online-kd's branches): the order the papers' tables read in. */
export function teachersFirstRank(role: string): number {
  return role.startsWith('teacher') ? 0 : role === 'student' ? 1 : 2;
}
