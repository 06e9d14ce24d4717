export const FIRST_NAMES = [
  'Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'Lucas', 'Mia', 'Ethan', 'Sofia', 'Mateo', 'Amelia', 'Leo', 'Isla', 'Hugo',
  'Chloe', 'Oscar', 'Grace', 'Felix', 'Zoe', 'Jonas', 'Hannah', 'Theo', 'Clara', 'Max', 'Lena', 'Arthur', 'Nora',
  'Louis', 'Alice', 'Jules', 'Yuki', 'Haruto', 'Aiko', 'Kenji', 'Priya', 'Arjun', 'Ananya', 'Rohan', 'Fatima', 'Omar',
  'Layla', 'Samir', 'Maria', 'Diego', 'Lucia', 'Pablo', 'Ingrid', 'Erik', 'Freya', 'Nils', 'Chiara', 'Marco', 'Giulia',
  'Luca', 'Ama', 'Kwame', 'Zara', 'Daniel', 'Ruby', 'Sam',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Brown', 'Garcia', 'Miller', 'Davis', 'Martinez', 'Wilson', 'Anderson', 'Taylor', 'Thomas',
  'Moore', 'Martin', 'Lee', 'Walker', 'Hall', 'Young', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Nelson', 'Carter',
  'Mueller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Dubois', 'Laurent', 'Bernard', 'Rossi', 'Bianchi', 'Romano',
  'Jansen', 'De Vries', 'Bakker', 'Tanaka', 'Suzuki', 'Sato', 'Patel', 'Sharma', 'Singh', 'Khan', 'Haddad', 'Silva',
  'Santos', 'Lopez', 'Hernandez', 'Nilsson', 'Larsen', 'Olsen', 'Murphy', "O'Brien", 'Kelly', 'Mensah', 'Okafor',
  'Nguyen', 'Kim',
] as const;

export interface DemoRegion {
  country: string;
  timezone: string;
  /** Standard-time offset from UTC in hours: the generator ignores daylight saving, an hour off is fine for a demo. */
  utcOffsetHours: number;
  /** Share of contacts. */
  weight: number;
}

export const DEMO_REGIONS: readonly DemoRegion[] = [
  { country: 'US', timezone: 'America/New_York', utcOffsetHours: -5, weight: 22 },
  { country: 'US', timezone: 'America/Chicago', utcOffsetHours: -6, weight: 10 },
  { country: 'US', timezone: 'America/Los_Angeles', utcOffsetHours: -8, weight: 14 },
  { country: 'CA', timezone: 'America/Toronto', utcOffsetHours: -5, weight: 6 },
  { country: 'GB', timezone: 'Europe/London', utcOffsetHours: 0, weight: 14 },
  { country: 'DE', timezone: 'Europe/Berlin', utcOffsetHours: 1, weight: 12 },
  { country: 'FR', timezone: 'Europe/Paris', utcOffsetHours: 1, weight: 8 },
  { country: 'NL', timezone: 'Europe/Amsterdam', utcOffsetHours: 1, weight: 4 },
  { country: 'AU', timezone: 'Australia/Sydney', utcOffsetHours: 10, weight: 6 },
  { country: 'JP', timezone: 'Asia/Tokyo', utcOffsetHours: 9, weight: 4 },
];

/** `firstname.lastname.N@example.com`, lower case, letters only (example.com never delivers mail). */
export function demoEmail(firstName: string, lastName: string, n: number): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
  return `${clean(firstName)}.${clean(lastName)}.${n}@example.com`;
}
