/** The Huawei CBS AR services WSDL: three schemas (ars, cbs, arc), document/literal, SOAP 1.1. */
export const ARS_NS = 'http://www.huawei.com/bme/cbsinterface/arservices';
export const CBS_NS = 'http://www.huawei.com/bme/cbsinterface/cbscommon';
export const ARC_NS = 'http://cbs.huawei.com/ar/wsservice/arcommon';

const e = (name: string, type = 'xsd:string', extra = 'minOccurs="0"') =>
  `<xsd:element name="${name}" type="${type}" ${extra}/>`;
const seq = (...items: string[]) =>
  `<xsd:complexType><xsd:sequence>${items.join('')}</xsd:sequence></xsd:complexType>`;
const local = (name: string, body: string, extra = 'minOccurs="0"') =>
  `<xsd:element name="${name}" ${extra}>${body}</xsd:element>`;

export function huaweiCbsWsdl(location: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:ars="${ARS_NS}" xmlns:cbs="${CBS_NS}" xmlns:arc="${ARC_NS}"
  targetNamespace="${ARS_NS}" name="ArServices">
  <wsdl:types>
    <xsd:schema targetNamespace="${CBS_NS}" elementFormDefault="qualified">
      <xsd:complexType name="RequestHeader"><xsd:sequence>
        ${e('Version')}${e('BusinessCode')}${e('MessageSeq')}
        ${local('OwnershipInfo', seq(e('BEID'), e('BRID')))}
        ${local('AccessSecurity', seq(e('LoginSystemCode'), e('Password'), e('RemoteIP')))}
        ${local('OperatorInfo', seq(e('OperatorID'), e('ChannelID')))}
        ${e('TimeFormat')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="ResultHeader"><xsd:sequence>
        ${e('Version')}${e('ResultCode', 'xsd:string', '')}${e('MsgLanguageCode')}${e('ResultDesc')}
      </xsd:sequence></xsd:complexType>
    </xsd:schema>
    <xsd:schema targetNamespace="${ARC_NS}" elementFormDefault="qualified">
      <xsd:complexType name="SubAccessCode"><xsd:sequence>
        ${e('PrimaryIdentity')}${e('SubscriberKey')}
      </xsd:sequence></xsd:complexType>
    </xsd:schema>
    <xsd:schema targetNamespace="${ARS_NS}" elementFormDefault="qualified">
      <xsd:import namespace="${CBS_NS}"/>
      <xsd:import namespace="${ARC_NS}"/>
      <xsd:element name="RechargeRequestMsg">${seq(
        e('RequestHeader', 'cbs:RequestHeader', 'form="unqualified"'),
        e('RechargeRequest', 'ars:RechargeRequest', 'form="unqualified"'),
      )}</xsd:element>
      <xsd:element name="RechargeResultMsg">${seq(
        e('ResultHeader', 'cbs:ResultHeader', 'form="unqualified"'),
        e('RechargeResult', 'ars:RechargeResult', 'form="unqualified" minOccurs="0"'),
      )}</xsd:element>
      <xsd:element name="QueryRechargeLogRequestMsg">${seq(
        e('RequestHeader', 'cbs:RequestHeader', 'form="unqualified"'),
        e('QueryRechargeLogRequest', 'ars:QueryRechargeLogRequest', 'form="unqualified"'),
      )}</xsd:element>
      <xsd:element name="QueryRechargeLogResultMsg">${seq(
        e('ResultHeader', 'cbs:ResultHeader', 'form="unqualified"'),
        e('QueryRechargeLogResult', 'ars:QueryRechargeLogResult', 'form="unqualified" minOccurs="0"'),
      )}</xsd:element>
      <xsd:complexType name="RechargeRequest"><xsd:sequence>
        ${e('RechargeSerialNo')}${e('RechargeType')}${e('RechargeChannelID')}
        ${local('RechargeObj', seq(e('SubAccessCode', 'arc:SubAccessCode')))}
        ${local('RechargeInfo', seq(local('CashPayment', seq(e('PaymentMethod'), e('Amount', 'xsd:long')), 'minOccurs="0" maxOccurs="unbounded"')))}
        ${e('CurrencyID')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="RechargeResult"><xsd:sequence>
        ${e('RechargeSerialNo')}
        ${local('BalanceChgInfo', seq(e('BalanceType'), e('OldBalanceAmt', 'xsd:long'), e('NewBalanceAmt', 'xsd:long')), 'minOccurs="0" maxOccurs="unbounded"')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="QueryRechargeLogRequest"><xsd:sequence>
        ${local('QueryObj', seq(e('SubAccessCode', 'arc:SubAccessCode')))}
        ${e('StartTime')}${e('EndTime')}${e('ExtTransID')}
        ${e('TotalRowNum', 'xsd:long')}${e('BeginRowNum', 'xsd:long')}${e('FetchRowNum', 'xsd:long')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="RechargeLogInfo"><xsd:sequence>
        ${e('RechargeSerialNo')}${e('TradeTime')}${e('RechargeAmount', 'xsd:long')}${e('CurrencyID')}
        ${e('RechargeChannelID')}${e('ResultCode')}${e('ResultDesc')}
      </xsd:sequence></xsd:complexType>
      <xsd:complexType name="QueryRechargeLogResult"><xsd:sequence>
        ${e('TotalRowNum', 'xsd:long')}${e('BeginRowNum', 'xsd:long')}${e('FetchRowNum', 'xsd:long')}
        ${e('RechargeInfo', 'ars:RechargeLogInfo', 'minOccurs="0" maxOccurs="unbounded"')}
      </xsd:sequence></xsd:complexType>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="RechargeRequest"><wsdl:part name="RechargeRequestMsg" element="ars:RechargeRequestMsg"/></wsdl:message>
  <wsdl:message name="RechargeResponse"><wsdl:part name="RechargeResultMsg" element="ars:RechargeResultMsg"/></wsdl:message>
  <wsdl:message name="QueryRechargeLogRequest"><wsdl:part name="QueryRechargeLogRequestMsg" element="ars:QueryRechargeLogRequestMsg"/></wsdl:message>
  <wsdl:message name="QueryRechargeLogResponse"><wsdl:part name="QueryRechargeLogResultMsg" element="ars:QueryRechargeLogResultMsg"/></wsdl:message>
  <wsdl:portType name="ArServicesPortType">
    <wsdl:operation name="Recharge">
      <wsdl:input message="ars:RechargeRequest"/><wsdl:output message="ars:RechargeResponse"/>
    </wsdl:operation>
    <wsdl:operation name="QueryRechargeLog">
      <wsdl:input message="ars:QueryRechargeLogRequest"/><wsdl:output message="ars:QueryRechargeLogResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="ArServicesBinding" type="ars:ArServicesPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Recharge">
      <soap:operation soapAction="Recharge" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="QueryRechargeLog">
      <soap:operation soapAction="QueryRechargeLog" style="document"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="ArServices">
    <wsdl:port name="ArServicesPort" binding="ars:ArServicesBinding">
      <soap:address location="${location}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
}
