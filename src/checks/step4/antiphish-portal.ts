/** Shared text for the anti-phishing checks (guide §4.2). */

export const ANTI_PHISH_PORTAL =
  'https://security.microsoft.com → Email & collaboration → Policies & rules → Threat policies → Anti-phishing (https://security.microsoft.com/antiphishing) → select the policy';

export const ANTI_PHISH_REFS = [
  'https://learn.microsoft.com/defender-office-365/anti-phishing-policies-about',
  'https://learn.microsoft.com/powershell/module/exchangepowershell/set-antiphishpolicy',
];
