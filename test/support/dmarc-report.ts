/** A minimal RFC 7489 aggregate report for fabrikam.com (one record, `count` messages from `ip`), for the dmarc tests. */
export function dmarcReport(id: string, ip = '192.0.2.1', count = 1): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<feedback><report_metadata><org_name>x</org_name><report_id>${id}</report_id>
<date_range><begin>1711756800</begin><end>1711843199</end></date_range></report_metadata>
<policy_published><domain>fabrikam.com</domain><p>reject</p></policy_published>
<record><row><source_ip>${ip}</source_ip><count>${count}</count>
<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>
<identifiers><header_from>fabrikam.com</header_from></identifiers></record></feedback>`;
}
